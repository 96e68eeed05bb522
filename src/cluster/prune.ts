// What --prune may remove: objects gpuvm labelled for this lab that the lab no longer renders.
// Volumes (PVC, DataVolume) are listed and kept: a disk is only ever deleted when the user names it.
// Namespaces and the shared KubeVirt/CDI CRs are never candidates (they are not listed here at all).
import { LABEL_LAB, LABEL_MANAGED_BY, MANAGER } from "../render/labels.js";
import type { KubeClient, KubeObjectJson } from "./client.js";
import type { ObjectRef } from "./resources.js";

interface PrunableKind {
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  /** Volumes are reported, never deleted. */
  volume: boolean;
}

export const PRUNABLE: PrunableKind[] = [
  { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", namespaced: true, volume: false },
  { apiVersion: "k8s.cni.cncf.io/v1", kind: "NetworkAttachmentDefinition", namespaced: true, volume: false },
  { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", namespaced: false, volume: false },
  { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", namespaced: false, volume: false },
  { apiVersion: "v1", kind: "PersistentVolumeClaim", namespaced: true, volume: true },
  { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", namespaced: true, volume: true },
];

export interface Orphan {
  ref: ObjectRef;
  volume: boolean;
}

export function labSelector(labName: string): string {
  return `${LABEL_MANAGED_BY}=${MANAGER},${LABEL_LAB}=${labName}`;
}

function key(ref: ObjectRef): string {
  return `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ""}|${ref.name}`;
}

/** Labelled objects of this lab that `desired` does not contain. */
export async function findOrphans(
  client: KubeClient,
  labName: string,
  namespace: string,
  desired: KubeObjectJson[],
): Promise<Orphan[]> {
  const wanted = new Set(
    desired.map((obj) =>
      key({
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      }),
    ),
  );
  const orphans: Orphan[] = [];
  for (const kind of PRUNABLE) {
    const list = await client.list(
      { apiVersion: kind.apiVersion, kind: kind.kind, ...(kind.namespaced ? { namespace } : {}) },
      { labelSelector: labSelector(labName) },
    );
    for (const item of list.items) {
      const ref: ObjectRef = {
        apiVersion: kind.apiVersion,
        kind: kind.kind,
        name: item.metadata.name,
        ...(kind.namespaced ? { namespace } : {}),
      };
      if (!wanted.has(key(ref))) orphans.push({ ref, volume: kind.volume });
    }
  }
  return orphans;
}
