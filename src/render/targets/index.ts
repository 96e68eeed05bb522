// The registry of render targets. Each is a pure function of the Lab.
import type { Lab } from "../../model/lab.js";
import type { RenderOutput } from "../object.js";
import { type CapkOptions, renderCapkTarget } from "./capk.js";
import { type HarvesterOptions, renderHarvesterTarget } from "./harvester.js";
import { renderHostTarget } from "./host.js";
import { renderKubevirtTarget } from "./kubevirt.js";
import { type RouterOptions, renderRouterTarget } from "./router.js";

export interface RenderOptions extends HarvesterOptions, CapkOptions, RouterOptions {
  /** Target-specific options from the command line (for example a router output format). */
  [option: string]: unknown;
}

export interface Target {
  name: string;
  summary: string;
  /** The target-specific options (RenderOptions keys) this target reads; the CLI refuses them elsewhere. */
  options?: string[];
  render(lab: Lab, options: RenderOptions): RenderOutput;
}

export const targets: Target[] = [
  {
    name: "kubevirt",
    summary:
      "Kubernetes with KubeVirt + CDI: namespace, KubeVirt/CDI configuration, storage, network, volumes, VMs",
    render: renderKubevirtTarget,
  },
  {
    name: "host",
    summary:
      "host preparation: kernel arguments (GRUB, systemd-boot, Butane), vfio modprobe/initramfs, containerd, bridge",
    render: renderHostTarget,
  },
  {
    name: "harvester",
    summary: "Harvester: PCIDeviceClaims for every GPU function, VMs under Harvester's resource names",
    options: ["asPatch"],
    render: renderHarvesterTarget,
  },
  {
    name: "capk",
    summary: "Cluster API KubeVirt: GPU worker KubevirtMachineTemplates and the infrastructure KubeVirt CR",
    options: ["patchInto"],
    render: renderCapkTarget,
  },
  {
    name: "router",
    summary: "Router: static DHCP leases and DNS names, as OpenWrt UCI or dnsmasq",
    options: ["format"],
    render: renderRouterTarget,
  },
];

export function findTarget(name: string): Target | undefined {
  return targets.find((target) => target.name === name);
}
