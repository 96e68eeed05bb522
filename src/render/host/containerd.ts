import type { HostFile, HostRenderInput } from "./types.js";

/*
 * device_ownership_from_security_context makes containerd chown devices handed to a container
 * (CDI's block volumes, /dev/vfio/*) to the pod's runAsUser/fsGroup. Without it CDI uploads to
 * block volumes fail with "Permission denied" (seed 000, CDI issue 2433).
 */
const WHY = [
  "# gpuvm: let pods use the devices they are given (CDI block volumes) as their own user,",
  "# instead of failing with Permission denied on /dev/cdi-block-volume.",
];

/** containerd 1.x (config version 2): the CRI plugin's section. */
export function renderContainerdV1(input: HostRenderInput): HostFile {
  return {
    path: "containerd/config-1.x.toml",
    target: "/etc/containerd/config.toml",
    install: "merge",
    description: `containerd 1.x on ${input.name}: merge into config.toml (version = 2), then restart containerd`,
    contents: [
      ...WHY,
      "version = 2",
      "",
      '[plugins."io.containerd.grpc.v1.cri"]',
      "  device_ownership_from_security_context = true",
      "",
    ].join("\n"),
  };
}

/** containerd 2.x (config version 3): the option moved to the CRI runtime plugin. */
export function renderContainerdV2(input: HostRenderInput): HostFile {
  return {
    path: "containerd/config-2.x.toml",
    target: "/etc/containerd/config.toml",
    install: "merge",
    description: `containerd 2.x on ${input.name}: merge into config.toml (version = 3), then restart containerd`,
    contents: [
      ...WHY,
      "version = 3",
      "",
      '[plugins."io.containerd.cri.v1.runtime"]',
      "  device_ownership_from_security_context = true",
      "",
    ].join("\n"),
  };
}

/**
 * k3s writes containerd's config itself on every start, from a template when one exists.
 * `{{ template "base" . }}` keeps k3s's own settings (k3s releases since September 2023).
 */
export function renderK3sTemplates(input: HostRenderInput): HostFile[] {
  const dir = "var/lib/rancher/k3s/agent/etc/containerd";
  return [
    {
      path: `${dir}/config.toml.tmpl`,
      target: `/${dir}/config.toml.tmpl`,
      install: "replace",
      description: `k3s with containerd 1.x on ${input.name}: k3s renders config.toml from this template; restart k3s`,
      contents: [
        ...WHY,
        '{{ template "base" . }}',
        "",
        '[plugins."io.containerd.grpc.v1.cri"]',
        "  device_ownership_from_security_context = true",
        "",
      ].join("\n"),
    },
    {
      path: `${dir}/config-v3.toml.tmpl`,
      target: `/${dir}/config-v3.toml.tmpl`,
      install: "replace",
      description: `k3s with containerd 2.x on ${input.name}: k3s renders config.toml from this template; restart k3s`,
      contents: [
        ...WHY,
        '{{ template "base" . }}',
        "",
        '[plugins."io.containerd.cri.v1.runtime"]',
        "  device_ownership_from_security_context = true",
        "",
      ].join("\n"),
    },
  ];
}
