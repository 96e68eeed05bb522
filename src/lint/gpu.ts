// GPU rules: every function of the GPU's IOMMU group must be known to the lab (seed 003: Harvester and
// KubeVirt refuse a GPU whose group is not fully claimed; vfio needs every endpoint of the group).
import type { Gpu, Lab, Vm } from "../model/lab.js";
import type { Hit, LintContext, Rule } from "./finding.js";
import { usersOf } from "./helpers.js";

/** "0000:09:00.1" → "0000:09:00": the slot a multi-function device sits in. */
function slotOf(address: string): string {
  return address.slice(0, address.lastIndexOf("."));
}

/** The GPUs some mode passes, in host order, each with the VMs passing it (one finding per VM: each can be silenced). */
function gpusWithPassingVms(lab: Lab): { gpu: Gpu; vms: Vm[] }[] {
  return lab.hosts.flatMap((host) =>
    host.gpus
      .map((gpu) => ({ gpu, vms: [...new Set(usersOf(lab, gpu).map((user) => user.vm))] }))
      .filter((entry) => entry.vms.length > 0),
  );
}

function perVm(vms: Vm[], hit: Omit<Hit, "vm">): Hit[] {
  return vms.map((vm) => ({ ...hit, vm: vm.name, message: `${hit.message} (passed to VM "${vm.name}")` }));
}

function scannedGroup(context: LintContext, gpu: Gpu) {
  const facts = context.facts.hosts?.[gpu.host];
  if (!facts) return undefined;
  const addresses = new Set(gpu.functions.map((fn) => fn.address));
  return { group: facts.iommuGroups.find((group) => group.endpoints.some((a) => addresses.has(a))) };
}

export const gpuRules: Rule[] = [
  {
    id: "GV008",
    severity: "warning",
    title: "A GPU listed with its .0 function only (passed without its audio function)",
    check: (context) =>
      gpusWithPassingVms(context.lab).flatMap(({ gpu, vms }) => {
        if (scannedGroup(context, gpu)) return []; // GV009 knows the real group.
        const first = gpu.functions.find((fn) => fn.address.endsWith(".0"));
        if (
          !first ||
          gpu.functions.some((fn) => fn !== first && slotOf(fn.address) === slotOf(first.address))
        )
          return [];
        const group = gpu.iommuGroup !== undefined ? ` IOMMU group ${gpu.iommuGroup}` : " its IOMMU group";
        return perVm(vms, {
          path: [...gpu.path, "functions"],
          message: `GPU "${gpu.key}" on host "${gpu.host}" lists only ${first.address}: a GPU's audio function (${slotOf(first.address)}.1) shares${group}, and KubeVirt cannot pass a group that is only partly bound to vfio`,
          fix: `list ${slotOf(first.address)}.1 under hosts.${gpu.host}.gpus.${gpu.key}.functions (attach: false if the guest should not get it); if the card has no such function, silence GV008 with the reason`,
        });
      }),
  },
  {
    id: "GV009",
    severity: "error",
    title: "A GPU's IOMMU group (from a host scan) has functions the lab does not list",
    check: (context) =>
      gpusWithPassingVms(context.lab).flatMap(({ gpu, vms }) => {
        const group = scannedGroup(context, gpu)?.group;
        if (!group) return [];
        const listed = new Set(gpu.functions.map((fn) => fn.address));
        const missing = group.endpoints.filter((address) => !listed.has(address));
        if (missing.length === 0) return [];
        return perVm(vms, {
          path: [...gpu.path, "functions"],
          message: `GPU "${gpu.key}" on host "${gpu.host}" is in IOMMU group ${group.id}, which also holds ${missing.join(", ")}: the whole group must be bound to vfio-pci and claimed`,
          fix: `add ${missing.map((address) => `{ address: "${address}", …, attach: false }`).join(" and ")} to hosts.${gpu.host}.gpus.${gpu.key}.functions`,
        });
      }),
  },
  {
    id: "GV010",
    severity: "warning",
    title: "Functions of one GPU on different PCI slots",
    check: ({ lab }) =>
      lab.hosts.flatMap((host) =>
        host.gpus.flatMap((gpu) => {
          const first = gpu.functions[0];
          if (!first) return [];
          return gpu.functions
            .filter((fn) => slotOf(fn.address) !== slotOf(first.address))
            .map(
              (fn): Hit => ({
                path: [...fn.path, "address"],
                message: `GPU "${gpu.key}" on host "${host.name}" lists ${fn.address}, which is not on the slot of ${first.address} (${slotOf(first.address)}): it is another device`,
                fix: `check the address with lspci -Dnn; if it is another device in the same IOMMU group, keep it with attach: false`,
              }),
            );
        }),
      ),
  },
];
