// Leases as OpenWrt UCI `config host` sections (seed 000's router template), for /etc/config/dhcp.
import type { Lease } from "./leases.js";

function quote(value: string): string {
  // UCI single-quotes values; a quote inside one closes, escapes and reopens it, as in sh.
  return `'${value.replaceAll("'", "'\\''")}'`;
}

export function renderUci(lab: string, leases: Lease[]): string {
  const sections = leases.map((lease) =>
    [
      "config host",
      `\toption name ${quote(lease.fqdn)}`,
      `\toption mac ${quote(lease.mac)}`,
      `\toption ip ${quote(lease.ip)}`,
      `\toption dns ${quote("1")}`,
    ].join("\n"),
  );
  const header = `# gpuvm lab ${lab}: static DHCP leases and DNS names; add to /etc/config/dhcp`;
  return `${[header, ...sections].join("\n\n")}\n`;
}
