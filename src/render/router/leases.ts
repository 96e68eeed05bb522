// The static DHCP leases a lab asks the router for: one per VM NIC with a fixed MAC and an IP, named
// <vm>.<network domain> (seed 000: gaming.vms.lab.x.y.z → 192.168.26.100). NICs whose MAC is still a
// placeholder (contains "XX", as the seed's template skips) or that have no IP get no lease, and a note.
import type { Lab } from "../../model/lab.js";

export interface Lease {
  vm: string;
  network: string;
  mac: string;
  ip: string;
  /** <vm>.<domain>, or <vm> when the network has no domain. */
  fqdn: string;
}

export interface Leases {
  leases: Lease[];
  notes: string[];
}

export function isPlaceholderMac(mac: string): boolean {
  return mac.toUpperCase().includes("XX");
}

export function staticLeases(lab: Lab): Leases {
  const leases: Lease[] = [];
  const notes: string[] = [];
  for (const vm of lab.vms) {
    for (const nic of vm.nics) {
      const where = `${vm.name} on ${nic.network.key}`;
      if (nic.mac === undefined || nic.ip === undefined) {
        const missing = nic.mac === undefined ? "no fixed MAC" : "no IP";
        notes.push(`${where}: ${missing}, no static lease`);
        continue;
      }
      if (isPlaceholderMac(nic.mac)) {
        notes.push(`${where}: MAC ${nic.mac} is a placeholder, no static lease`);
        continue;
      }
      const domain = nic.network.domain;
      leases.push({
        vm: vm.name,
        network: nic.network.key,
        mac: nic.mac,
        ip: nic.ip,
        fqdn: domain ? `${vm.name}.${domain}` : vm.name,
      });
    }
  }
  return { leases, notes };
}
