import type { HostFile, HostRenderInput } from "./types.js";

type Bridge = NonNullable<HostRenderInput["bridge"]>;

/**
 * NetworkManager keyfiles: the bridge takes the host's address (DHCP) and the uplink becomes
 * its port. This is the setup of seed 000 without the shell logic around nmcli.
 */
export function renderNetworkManagerBridge(input: HostRenderInput, bridge: Bridge): HostFile[] {
  const dir = "etc/NetworkManager/system-connections";
  const port = `${bridge.name}-port-${bridge.uplink}`;
  return [
    {
      path: `${dir}/${bridge.name}.nmconnection`,
      target: `/${dir}/${bridge.name}.nmconnection`,
      install: "replace",
      description: `bridge ${bridge.name} on ${input.name} (NetworkManager); then nmcli connection reload`,
      mode: "0600",
      contents: [
        `# gpuvm: bridge ${bridge.name} for VM networks on ${input.name}; the host's address moves onto it.`,
        "[connection]",
        `id=${bridge.name}`,
        "type=bridge",
        `interface-name=${bridge.name}`,
        "",
        "[bridge]",
        "stp=false",
        "",
        "[ipv4]",
        "method=auto",
        "",
        "[ipv6]",
        "method=auto",
        "",
      ].join("\n"),
    },
    {
      path: `${dir}/${port}.nmconnection`,
      target: `/${dir}/${port}.nmconnection`,
      install: "replace",
      description: `${bridge.uplink} as the port of ${bridge.name} (NetworkManager)`,
      mode: "0600",
      contents: [
        `# gpuvm: ${bridge.uplink} carries ${bridge.name}'s traffic; disable its old wired profile.`,
        "[connection]",
        `id=${port}`,
        "type=ethernet",
        `interface-name=${bridge.uplink}`,
        `master=${bridge.name}`,
        "slave-type=bridge",
        "",
      ].join("\n"),
    },
  ];
}

/**
 * A systemd unit for hosts without NetworkManager: creates the bridge idempotently and
 * enslaves the uplink. The host's own address must then be configured on the bridge.
 */
export function renderBridgeUnit(input: HostRenderInput, bridge: Bridge): HostFile {
  const unit = `gpuvm-bridge-${bridge.name}.service`;
  return {
    path: `etc/systemd/system/${unit}`,
    target: `/etc/systemd/system/${unit}`,
    install: "replace",
    description: `bridge ${bridge.name} on ${input.name} without NetworkManager; systemctl enable --now ${unit}`,
    contents: [
      `# gpuvm: bridge ${bridge.name} on ${bridge.uplink} for VM networks (Multus bridge CNI) on ${input.name}.`,
      "# Configure the host's address on the bridge, not on the uplink, or the host loses its network.",
      "[Unit]",
      `Description=Bridge ${bridge.name} on ${bridge.uplink} for VM networks`,
      "Wants=network-pre.target",
      "After=network-pre.target",
      "Before=network.target kubelet.service k3s.service k3s-agent.service",
      "",
      "[Service]",
      "Type=oneshot",
      "RemainAfterExit=yes",
      `ExecStart=/bin/sh -c 'ip link show ${bridge.name} >/dev/null 2>&1 || ip link add name ${bridge.name} type bridge'`,
      `ExecStart=/bin/sh -c 'ip link set ${bridge.uplink} master ${bridge.name} && ip link set ${bridge.uplink} up'`,
      `ExecStart=/bin/sh -c 'ip link set ${bridge.name} up'`,
      "",
      "[Install]",
      "WantedBy=multi-user.target",
      "",
    ].join("\n"),
  };
}
