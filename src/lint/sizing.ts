// Sizing and placement rules: a mode must fit its host with room for the host itself, must be pinned
// to the host of its GPU, and shares that GPU with every other mode that passes it (seed 000:
// "Live Mode: With GPU, 80% of node resources, must run on tower1").
import { formatBytes } from "../config/quantity.js";
import type { Vm } from "../model/lab.js";
import type { Hit, Rule } from "./finding.js";
import { listSome, renderedVms, SHOWN, usersOf } from "./helpers.js";

const HOSTNAME = "kubernetes.io/hostname";
const percent = (share: number) => `${Math.round(share * 100)}%`;

/** Up to SHOWN names of the VMs in `users` other than `vm`, in lab order. */
function someOthers(users: readonly { vm: Vm }[], vm: Vm): string[] {
  const names: string[] = [];
  for (const user of users) {
    if (names.length === SHOWN) break;
    if (user.vm !== vm) names.push(user.vm.name);
  }
  return names;
}

export const sizingRules: Rule[] = [
  {
    id: "GV015",
    severity: "error",
    title: "A mode asks for more CPU or memory than its host has",
    check: ({ lab }) =>
      lab.vms.flatMap((vm) =>
        vm.modes.flatMap((mode): Hit[] => {
          const host = mode.host;
          if (!host) return [];
          const hits: Hit[] = [];
          if (mode.cores > host.cpu)
            hits.push({
              path: [...mode.path, "cpu"],
              message: `${mode.objectName} asks for ${mode.cores} cores but host "${host.name}" has ${host.cpu}: it can never be scheduled there`,
              fix: `ask for at most ${host.cpu} cores, or a share such as "80%"`,
              vm: vm.name,
            });
          if (mode.memoryBytes > host.memoryBytes)
            hits.push({
              path: [...mode.path, "memory"],
              message: `${mode.objectName} asks for ${mode.memory} of memory but host "${host.name}" has ${formatBytes(host.memoryBytes)}: it can never be scheduled there`,
              fix: `ask for less than ${formatBytes(host.memoryBytes)}, or a share such as "80%"`,
              vm: vm.name,
            });
          return hits;
        }),
      ),
  },
  {
    id: "GV016",
    severity: "warning",
    title: "A mode asks for more than cluster.maxHostShare of its host",
    check: ({ lab }) => {
      const share = lab.cluster.maxHostShare;
      return lab.vms.flatMap((vm) =>
        vm.modes.flatMap((mode): Hit[] => {
          const host = mode.host;
          if (!host) return [];
          const hits: Hit[] = [];
          // Above the whole host is GV015's finding; this one is about the headroom below it.
          if (mode.cores <= host.cpu && mode.cores > host.cpu * share)
            hits.push({
              path: [...mode.path, "cpu"],
              message: `${mode.objectName} asks for ${mode.cores} of host "${host.name}"'s ${host.cpu} CPUs, more than ${percent(share)}: the kubelet, Longhorn and virt-launcher's own overhead need the rest`,
              fix: `ask for at most ${Math.floor(host.cpu * share)} cores (or raise cluster.maxHostShare)`,
              vm: vm.name,
            });
          if (mode.memoryBytes <= host.memoryBytes && mode.memoryBytes > host.memoryBytes * share)
            hits.push({
              path: [...mode.path, "memory"],
              message: `${mode.objectName} asks for ${mode.memory} of host "${host.name}"'s ${formatBytes(host.memoryBytes)}, more than ${percent(share)}: virt-launcher adds memory overhead on top of the guest's, so the pod does not fit`,
              fix: `ask for at most ${percent(share)} of the host's memory (or raise cluster.maxHostShare)`,
              vm: vm.name,
            });
          return hits;
        }),
      );
    },
  },
  {
    id: "GV017",
    severity: "error",
    title: "A VM with a GPU that is not required to run on the GPU's host",
    check: ({ lab, objects }) =>
      renderedVms(lab, objects).flatMap(({ vm, mode, object, spec }): Hit[] => {
        const terms =
          spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
        return [...new Set(mode.gpus.map((gpu) => gpu.host))]
          .filter(
            (host) =>
              !terms?.length ||
              !terms.every((term) =>
                (term.matchExpressions ?? []).some(
                  (expression) =>
                    expression.key === HOSTNAME &&
                    expression.operator === "In" &&
                    (expression.values ?? []).every((value) => value === host),
                ),
              ),
          )
          .map((host) => ({
            path: [...mode.path, "host"],
            message: `${object.metadata.name} passes a GPU of host "${host}" but is not required to run there: scheduled elsewhere it waits for a device that node does not have`,
            fix: `require ${HOSTNAME} In [${host}] in the VM's node affinity (requiredDuringSchedulingIgnoredDuringExecution)`,
            vm: vm.name,
          }));
      }),
  },
  {
    id: "GV018",
    severity: "info",
    title: "Live modes of two VMs need the same GPU: they never run together",
    check: ({ lab }) =>
      lab.hosts.flatMap((host) =>
        host.gpus.flatMap((gpu) => {
          const users = usersOf(lab, gpu).filter(({ mode }) => mode.name === "live");
          if (new Set(users.map(({ vm }) => vm)).size < 2) return [];
          return users.map(({ vm, mode }): Hit => {
            // Name a few of the others, not all: with thousands of VMs on one GPU, listing every
            // other VM in every finding makes the output grow with the square of the lab.
            const others = someOthers(users, vm).map((name) => `"${name}"`);
            return {
              path: [...mode.path, "gpus", mode.gpus.indexOf(gpu)],
              message: `GPU "${gpu.key}" of host "${host.name}" is also needed by the live mode of ${listSome(others, users.length - 1)}: only one of them can run at a time`,
              fix: "nothing to change if that is intended: gpuvm start refuses to start a second VM on a held GPU",
              vm: vm.name,
            };
          });
        }),
      ),
  },
];
