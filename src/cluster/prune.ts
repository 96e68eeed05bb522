// What --prune may remove: objects gpuvm labelled with this lab's identity that the lab no longer renders.
// The identity is the lab's namespace and name (labels.ts), so a lab never selects another lab's
// cluster-scoped objects (StorageClasses, PriorityClasses) even when both carry the same name.
// Volumes (PVC, DataVolume) are listed and kept: a disk is only ever deleted when the user names it.
// Namespaces and the shared KubeVirt/CDI CRs are never candidates (they are not listed here at all).
// A VirtualMachine that runs is listed but not deleted: deleting it would kill the guest.
import { LABEL_LAB_ID, LABEL_MANAGED_BY, labIdentity, MANAGER } from "../render/labels.js";
import type { KubeClient, KubeObjectJson } from "./client.js";
import type { ObjectRef } from "./resources.js";
import { isActive, phaseOf, readMode } from "./vm-state.js";

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
  /** Why it must not be deleted now (a VM that runs), with how to stop it. */
  running?: string;
}

export interface LabKey {
  name: string;
  namespace: string;
}

export function labSelector(lab: LabKey): string {
  return `${LABEL_MANAGED_BY}=${MANAGER},${LABEL_LAB_ID}=${labIdentity(lab.namespace, lab.name)}`;
}

function key(ref: ObjectRef): string {
  return `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ""}|${ref.name}`;
}

/** What a VM's state says about pruning it: undefined when it is stopped, else why and how to stop it. */
export function blockedBecause(
  ref: ObjectRef,
  state: { active: boolean; phase: string },
): string | undefined {
  if (!state.active) return undefined;
  return (
    `it is ${state.phase}; stop it first (virtctl stop ${ref.name} -n ${ref.namespace}, or ` +
    `kubectl patch vm ${ref.name} -n ${ref.namespace} --type merge -p '{"spec":{"runStrategy":"Halted"}}'), then prune again`
  );
}

/** Why a VirtualMachine may not be pruned now, or undefined when it is stopped. */
export async function runningReason(client: KubeClient, ref: ObjectRef): Promise<string | undefined> {
  if (ref.kind !== "VirtualMachine" || !ref.namespace || !ref.name) return undefined;
  const state = await readMode(client, ref.namespace, ref.name);
  return blockedBecause(ref, { active: isActive(state), phase: phaseOf(state) });
}

export interface Listed {
  ref: ObjectRef;
  volume: boolean;
}

/** The listed objects `desired` does not contain: prune's candidates, in the order listed. */
export function orphansAmong(desired: KubeObjectJson[], listed: Listed[]): Listed[] {
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
  return listed.filter((item) => !wanted.has(key(item.ref)));
}

export type PruneAction =
  | { action: "keep"; note: string }
  | { action: "blocked"; note: string }
  | { action: "prune" };

/** What prune does with an orphan: volumes are kept, a VM that runs waits until it is stopped. */
export function pruneDecision(orphan: Orphan): PruneAction {
  if (orphan.volume) {
    return {
      action: "keep",
      note: "no longer in the lab; volumes are kept (delete it yourself if you mean to)",
    };
  }
  if (orphan.running) return { action: "blocked", note: orphan.running };
  return { action: "prune" };
}

/** Labelled objects of this lab that `desired` does not contain. */
export async function findOrphans(
  client: KubeClient,
  lab: LabKey,
  desired: KubeObjectJson[],
): Promise<Orphan[]> {
  const listed: Listed[] = [];
  for (const kind of PRUNABLE) {
    const list = await client.list(
      {
        apiVersion: kind.apiVersion,
        kind: kind.kind,
        ...(kind.namespaced ? { namespace: lab.namespace } : {}),
      },
      { labelSelector: labSelector(lab) },
    );
    for (const item of list.items) {
      const ref: ObjectRef = {
        apiVersion: kind.apiVersion,
        kind: kind.kind,
        name: item.metadata.name,
        ...(kind.namespaced ? { namespace: lab.namespace } : {}),
      };
      listed.push({ ref, volume: kind.volume });
    }
  }
  const orphans: Orphan[] = [];
  for (const candidate of orphansAmong(desired, listed)) {
    const running = candidate.volume ? undefined : await runningReason(client, candidate.ref);
    orphans.push({ ...candidate, ...(running ? { running } : {}) });
  }
  return orphans;
}
