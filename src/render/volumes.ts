// One volume per VM disk, shared by the VM's modes: a PVC, or a CDI DataVolume when the disk has a source.
import {
  type V1beta1DataVolume,
  V1beta1StorageSpecAccessModesEnum,
  V1beta1StorageSpecVolumeModeEnum,
} from "@kubevirt-ui-ext/kubevirt-api/containerized-data-importer";
import type { PersistentVolumeClaim } from "kubernetes-types/core/v1.js";
import type { Disk, Lab, Vm } from "../model/lab.js";
import { LABEL_DISK, vmLabels } from "./labels.js";
import type { Rendered } from "./object.js";

/** CDI's force-bind annotation (what `virtctl --force-bind` sets): bind now even if the class waits. */
export const FORCE_BIND_ANNOTATION = "cdi.kubevirt.io/storage.bind.immediate.requested";

function storageSpec(disk: Disk) {
  return {
    storageClassName: disk.storage.name,
    accessModes: [V1beta1StorageSpecAccessModesEnum.ReadWriteOnce],
    volumeMode: V1beta1StorageSpecVolumeModeEnum[disk.storage.volumeMode],
    resources: { requests: { storage: disk.size } },
  };
}

function dataVolumeSource(disk: Disk): Record<string, unknown> {
  const source = disk.source;
  if (!source || "blank" in source) return { blank: {} };
  if ("http" in source) return { http: { url: source.http } };
  return { registry: { url: source.registry } };
}

export function renderVolume(
  lab: Lab,
  vm: Vm,
  disk: Disk,
): Rendered<PersistentVolumeClaim> | Rendered<V1beta1DataVolume> {
  const metadata = {
    name: disk.claimName,
    namespace: lab.cluster.namespace,
    labels: { ...vmLabels(lab, vm), [LABEL_DISK]: disk.key },
    ...(disk.storage.forceBind ? { annotations: { [FORCE_BIND_ANNOTATION]: "true" } } : {}),
  };
  if (disk.source) {
    return {
      apiVersion: "cdi.kubevirt.io/v1beta1",
      kind: "DataVolume",
      metadata,
      spec: { source: dataVolumeSource(disk), storage: storageSpec(disk) },
    };
  }
  return { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata, spec: storageSpec(disk) };
}

export function renderVolumes(lab: Lab): (Rendered<PersistentVolumeClaim> | Rendered<V1beta1DataVolume>)[] {
  return lab.vms.flatMap((vm) => vm.disks.map((disk) => renderVolume(lab, vm, disk)));
}
