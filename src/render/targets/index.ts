// The registry of render targets. Each is a pure function of the Lab.
import type { Lab } from "../../model/lab.js";
import type { RenderOutput } from "../object.js";
import { renderHostTarget } from "./host.js";
import { renderKubevirtTarget } from "./kubevirt.js";

export interface RenderOptions {
  /** Target-specific options from the command line (for example a router output format). */
  [option: string]: unknown;
}

export interface Target {
  name: string;
  summary: string;
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
];

export function findTarget(name: string): Target | undefined {
  return targets.find((target) => target.name === name);
}
