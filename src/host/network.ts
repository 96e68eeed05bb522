import type { HostReader } from "./reader.js";
import type { HostBridge } from "./types.js";

/**
 * Linux bridges from `sys/class/net`: a bridge has a `bridge/` directory and lists its ports
 * under `brif/`. Physical ports are those with a `device` link (a PCI NIC, not a veth).
 */
export function readBridges(reader: HostReader): HostBridge[] {
  const list = reader.listDir("sys/class/net");
  if (!list.ok) return [];
  const bridges: HostBridge[] = [];
  for (const name of list.value) {
    if (!reader.exists(`sys/class/net/${name}/bridge`)) continue;
    const ports = reader.listDir(`sys/class/net/${name}/brif`);
    const all = ports.ok ? ports.value : [];
    bridges.push({
      name,
      ports: all,
      physicalPorts: all.filter((p) => reader.exists(`sys/class/net/${p}/device`)),
    });
  }
  return bridges;
}
