// The `gpus` entries of a worker pool's VMs (seed 004: { deviceName: nvidia.com/gpu_dev1, name: gpu1 }).
// Every attached function is listed: KubeVirt assigns each through the permitted PCI devices alike.
import type { Mode } from "../../model/lab.js";

export interface CapkGpu {
  deviceName: string;
  name: string;
}

export function capkGpus(mode: Mode): CapkGpu[] {
  return mode.gpus.flatMap((gpu) =>
    gpu.functions.filter((fn) => fn.attach).map((fn) => ({ deviceName: fn.resource, name: fn.name })),
  );
}
