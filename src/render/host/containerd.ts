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

/** Where the option lives in each containerd line: the config version and the CRI plugin's section. */
const CONTAINERD = [
  { major: "1.x", version: 2, section: "io.containerd.grpc.v1.cri", k3sTemplate: "config.toml.tmpl" },
  // containerd 2.x (config version 3): the option moved to the CRI runtime plugin.
  { major: "2.x", version: 3, section: "io.containerd.cri.v1.runtime", k3sTemplate: "config-v3.toml.tmpl" },
] as const;

type Containerd = (typeof CONTAINERD)[number];

/** The file's text: why, then `first` (the version line or k3s's base template), then the option. */
function contents(first: string, containerd: Containerd): string {
  return [
    ...WHY,
    first,
    "",
    `[plugins."${containerd.section}"]`,
    "  device_ownership_from_security_context = true",
    "",
  ].join("\n");
}

/** containerd's own config.toml, one snippet per containerd line, to merge. */
export function renderContainerdConfigs(input: HostRenderInput): HostFile[] {
  return CONTAINERD.map((containerd) => ({
    path: `containerd/config-${containerd.major}.toml`,
    target: "/etc/containerd/config.toml",
    install: "merge",
    description: `containerd ${containerd.major} on ${input.name}: merge into config.toml (version = ${containerd.version}), then restart containerd`,
    contents: contents(`version = ${containerd.version}`, containerd),
  }));
}

/**
 * k3s writes containerd's config itself on every start, from a template when one exists.
 * `{{ template "base" . }}` keeps k3s's own settings (k3s releases since September 2023).
 */
export function renderK3sTemplates(input: HostRenderInput): HostFile[] {
  const dir = "var/lib/rancher/k3s/agent/etc/containerd";
  return CONTAINERD.map((containerd) => ({
    path: `${dir}/${containerd.k3sTemplate}`,
    target: `/${dir}/${containerd.k3sTemplate}`,
    install: "replace",
    description: `k3s with containerd ${containerd.major} on ${input.name}: k3s renders config.toml from this template; restart k3s`,
    contents: contents('{{ template "base" . }}', containerd),
  }));
}
