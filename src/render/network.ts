// Multus NetworkAttachmentDefinitions: the bridge CNI on the host bridge (seed 000's gaming-bridge-network).
import type { Lab, NetworkSpec } from "../model/lab.js";
import { labLabels } from "./labels.js";
import type { KubeObject } from "./object.js";

function ipam(network: NetworkSpec): Record<string, string> {
  // host-local IPAM only tracks addresses for Kubernetes; with managedTap the guest asks the router's DHCP.
  if (!network.subnet) return {};
  return {
    type: "host-local",
    subnet: network.subnet,
    ...(network.range ? { rangeStart: network.range.start, rangeEnd: network.range.end } : {}),
    ...(network.gateway ? { gateway: network.gateway } : {}),
  };
}

export function bridgeCniConfig(network: NetworkSpec): string {
  const config = {
    cniVersion: "0.3.1",
    name: network.name,
    type: "bridge",
    bridge: network.bridge,
    isGateway: false,
    ...(network.vlan !== undefined ? { vlan: network.vlan } : {}),
    ipam: ipam(network),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function renderNetworks(lab: Lab): KubeObject[] {
  return lab.networks.map((network) => ({
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: { name: network.name, namespace: lab.cluster.namespace, labels: labLabels(lab) },
    spec: { config: bridgeCniConfig(network) },
  }));
}
