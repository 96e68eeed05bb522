// The router target: static DHCP leases and DNS names for the lab's VMs, as one file in the format the
// router reads (OpenWrt UCI by default, or dnsmasq). Files only: the router is not a Kubernetes object.
import type { Lab } from "../../model/lab.js";
import type { RenderOutput } from "../object.js";
import { renderDnsmasq } from "../router/dnsmasq.js";
import { staticLeases } from "../router/leases.js";
import { renderUci } from "../router/uci.js";

export const ROUTER_FORMATS = ["uci", "dnsmasq"] as const;
export type RouterFormat = (typeof ROUTER_FORMATS)[number];

export interface RouterOptions {
  format?: RouterFormat;
}

export const ROUTER_FILES: Record<RouterFormat, string> = {
  uci: "dhcp-static-leases.uci",
  dnsmasq: "dnsmasq-static-leases.conf",
};

export function renderRouterTarget(lab: Lab, options: RouterOptions = {}): RenderOutput {
  const format = options.format ?? "uci";
  const { leases, notes } = staticLeases(lab);
  const content = format === "uci" ? renderUci(lab.name, leases) : renderDnsmasq(lab.name, leases);
  return { objects: [], files: [{ path: ROUTER_FILES[format], content }], notes };
}
