// `render -t router -o json`: the static leases and DNS names as JSON objects, for scripts that feed a
// router other than OpenWrt or dnsmasq. The same leases the UCI and dnsmasq files hold.
import type { Lab } from "../model/lab.js";
import { staticLeases } from "../render/router/leases.js";

export function leasesJson(lab: Lab): string {
  const leases = staticLeases(lab).leases.map((lease) => ({
    name: lease.fqdn,
    vm: lease.vm,
    network: lease.network,
    mac: lease.mac,
    ip: lease.ip,
  }));
  return `${JSON.stringify({ apiVersion: "gpuvm/v1alpha1", kind: "StaticLeases", lab: lab.name, leases }, null, 2)}\n`;
}
