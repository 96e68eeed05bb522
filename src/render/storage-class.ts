import type { StorageClass } from "kubernetes-types/storage/v1.js";
import type { Lab, StorageClassSpec } from "../model/lab.js";
import { labLabels } from "./labels.js";
import type { Rendered } from "./object.js";

const LONGHORN = "driver.longhorn.io";

function parameters(sc: StorageClassSpec): Record<string, string> | undefined {
  if (sc.provisioner !== LONGHORN) return undefined;
  // Longhorn reads its parameters as strings.
  return {
    numberOfReplicas: String(sc.replicas),
    ...(sc.disk !== undefined ? { diskSelector: sc.disk } : {}),
    ...(sc.node !== undefined ? { nodeSelector: sc.node } : {}),
  };
}

/** StorageClasses the lab defines (not those marked existing). Retain by default: disks outlive their PVCs. */
export function renderStorageClasses(lab: Lab): Rendered<StorageClass>[] {
  return lab.storage
    .filter((sc) => !sc.existing)
    .map((sc) => {
      const params = parameters(sc);
      return {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: sc.name, labels: labLabels(lab) },
        provisioner: sc.provisioner,
        ...(params ? { parameters: params } : {}),
        reclaimPolicy: sc.reclaim,
        volumeBindingMode: sc.binding,
        allowVolumeExpansion: true,
      };
    });
}
