// Leases as dnsmasq options: dhcp-host pins the address to the MAC, host-record answers the DNS name.
import type { Lease } from "./leases.js";

export function renderDnsmasq(lab: string, leases: Lease[]): string {
  const lines = [`# gpuvm lab ${lab}: static DHCP leases and DNS names; put in /etc/dnsmasq.d/`];
  for (const lease of leases) {
    lines.push(`dhcp-host=${lease.mac},${lease.ip},${lease.vm}`, `host-record=${lease.fqdn},${lease.ip}`);
  }
  return `${lines.join("\n")}\n`;
}
