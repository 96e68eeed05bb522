// Lab files for the cluster tests and the switch bench (no vitest here: the bench imports it too).

export interface LabOptions {
  name: string;
  namespace: string;
  /** Suffix that keeps this lab's cluster-wide objects (storage and priority classes) its own. */
  suffix: string;
  /** Resource name of the GPU's VGA function (default nvidia.com/rtx3080). */
  gpuResource?: string;
  /** Extra memory for gaming's maintenance mode (plan diff tests). */
  maintenanceMemory?: string;
  /** Leave gaming-compat out (prune tests). */
  withoutCompat?: boolean;
  /**
   * PCI domain of tower1's RTX 3080 (default 0000). A GPU's lock is cluster-wide, keyed by host and slot,
   * so test labs that run side by side give theirs a domain of their own unless they mean to share it.
   */
  gpuDomain?: string;
}

/** Seed 000's homelab: two VMs sharing tower1's RTX 3080, each with live and maintenance modes. */
export function homelabText(options: LabOptions): string {
  const s = options.suffix;
  const vga = options.gpuResource ?? "nvidia.com/rtx3080";
  const domain = options.gpuDomain ?? "0000";
  const compat = `
  gaming-compat:
    os: linux
    disks:
      system: { size: 1Ti, storage: system }
    nics:
      lan: { mac: "8a:d3:14:ca:21:7a", ip: 192.168.26.101 }
    modes:
      live: { host: tower1, cpu: 80%, memory: 80%, gpus: [rtx3080], priority: gaming-priority-${s} }
      maintenance: { cpu: 2, memory: 4Gi }
`;
  return `apiVersion: gpuvm/v1alpha1
kind: Lab
metadata: { name: ${options.name} }
cluster: { target: kubevirt, namespace: ${options.namespace}, kubevirt: v1.6.3, cdi: v1.63.1 }
hosts:
  tower1:
    capacity: { cpu: 16, memory: 32Gi }
    gpus:
      rtx3080:
        functions:
          - { address: "${domain}:09:00.0", id: "10de:2206", resource: ${vga}, name: gpu-vga }
          - { address: "${domain}:09:00.1", id: "10de:1aef", resource: nvidia.com/rtx3080-audio, name: gpu-audio }
    bridge: { name: local-br0, uplink: enp9s0 }
storage:
  system: { name: system-${s}, replicas: 3, disk: lg-nvme-raw, binding: Immediate }
  data: { name: data-${s}, replicas: 1, disk: lg-hdd-raw, binding: Immediate }
networks:
  lan: { name: lan-${s}, bridge: local-br0, binding: managedTap, subnet: 192.168.26.0/24 }
priorities:
  gaming-priority-${s}: { value: 1000, preemption: PreemptLowerPriority }
vms:
  gaming:
    os: linux
    disks:
      system: { size: 64Gi, storage: system }
      data: { size: 2Ti, storage: data }
    nics:
      lan: { mac: "8a:d3:14:ca:21:70", ip: 192.168.26.100 }
    modes:
      live: { host: tower1, cpu: 80%, memory: 80%, gpus: [rtx3080], priority: gaming-priority-${s} }
      maintenance: { cpu: 2, memory: ${options.maintenanceMemory ?? "4Gi"} }
${options.withoutCompat ? "" : compat}`;
}
