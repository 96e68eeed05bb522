// Storage rules: binding modes that deadlock CDI and VM scheduling, classes that delete disks,
// system disks with too few replicas (seed 000, "Challenge 4: Storage Binding and VM Scheduling").
import type { Disk, Lab, StorageClassSpec } from "../model/lab.js";
import type { Hit, Rule } from "./finding.js";

function usedByDisks(lab: Lab): Set<StorageClassSpec> {
  return new Set(lab.vms.flatMap((vm) => vm.disks.map((disk) => disk.storage)));
}

function waits(sc: StorageClassSpec): boolean {
  return sc.binding === "WaitForFirstConsumer" && !sc.forceBind;
}

/** One hit per VM disk that `matches`, pointing at the disk's storage key. */
function diskHits(
  lab: Lab,
  matches: (disk: Disk) => boolean,
  explain: (disk: Disk, vm: string) => { message: string; fix: string },
): Hit[] {
  return lab.vms.flatMap((vm) =>
    vm.disks
      .filter(matches)
      .map((disk): Hit => ({ path: [...disk.path, "storage"], ...explain(disk, vm.name), vm: vm.name })),
  );
}

const bindFix = (sc: StorageClassSpec) =>
  `set storage.${sc.key}.binding: Immediate, or storage.${sc.key}.forceBind: true so CDI binds the volume at once`;

export const storageRules: Rule[] = [
  {
    id: "GV001",
    severity: "error",
    title: "Upload storage (a class no VM disk uses, such as the ISO class) waits for a first consumer",
    check: ({ lab }) => {
      // The ISO class, and any class no disk uses, exists to be uploaded into. Nothing consumes an
      // upload target before the upload, so CDI's upload pod waits for a bound PVC forever.
      const used = usedByDisks(lab);
      return lab.storage
        .filter((sc) => (sc === lab.isoStorage || !used.has(sc)) && waits(sc))
        .map(
          (sc): Hit => ({
            path: [...sc.path, "binding"],
            message: `storage "${sc.key}" ${sc === lab.isoStorage ? "is where ISOs are uploaded" : "holds uploads (no VM disk uses it)"} but binds WaitForFirstConsumer: CDI's upload pod waits for a bound PVC and the PVC waits for a pod`,
            fix: bindFix(sc),
          }),
        );
    },
  },
  {
    id: "GV002",
    severity: "warning",
    title: "A VM disk on a WaitForFirstConsumer class without forceBind",
    check: ({ lab }) =>
      diskHits(
        lab,
        (disk) => waits(disk.storage),
        (disk, vm) => ({
          message: `disk "${disk.key}" of VM "${vm}" is on storage "${disk.storage.key}", which binds WaitForFirstConsumer: the VM's pod waits for the PVC and the PVC for the pod`,
          fix: bindFix(disk.storage),
        }),
      ),
  },
  {
    id: "GV006",
    severity: "warning",
    title: "A VM disk on a class with reclaimPolicy Delete",
    check: ({ lab }) =>
      diskHits(
        lab,
        (disk) => disk.storage.reclaim === "Delete",
        (disk, vm) => ({
          message: `disk "${disk.key}" of VM "${vm}" is on storage "${disk.storage.key}" with reclaim Delete: deleting its PVC destroys the disk's data`,
          fix: `set storage.${disk.storage.key}.reclaim: Retain (the default)`,
        }),
      ),
  },
  {
    id: "GV007",
    severity: "error",
    title: "A system (boot) disk with fewer replicas than cluster.minSystemReplicas",
    check: ({ lab }) =>
      diskHits(
        lab,
        (disk) => disk.boot && disk.storage.replicas < lab.cluster.minSystemReplicas,
        (disk, vm) => ({
          message: `system disk "${disk.key}" of VM "${vm}" is on storage "${disk.storage.key}" with ${disk.storage.replicas} replica(s); cluster.minSystemReplicas asks for ${lab.cluster.minSystemReplicas}`,
          fix: `put the disk on a class with at least ${lab.cluster.minSystemReplicas} replicas, or raise storage.${disk.storage.key}.replicas`,
        }),
      ),
  },
];
