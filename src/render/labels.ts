// Labels that tie every object gpuvm owns to its lab, VM and mode (apply, prune and status select on them).
import { createHash } from "node:crypto";
import type { Lab, Mode, Vm } from "../model/lab.js";

export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
/** The lab's name, for people and `kubectl get -l`; two labs may share it, so prune never selects on it. */
export const LABEL_LAB = "gpuvm.io/lab";
/** The lab's identity (namespace and name): what prune selects on, unique per lab on a cluster. */
export const LABEL_LAB_ID = "gpuvm.io/lab-id";
export const LABEL_VM = "gpuvm.io/vm";
export const LABEL_MODE = "gpuvm.io/mode";
export const LABEL_DISK = "gpuvm.io/disk";
export const MANAGER = "gpuvm";

/** The one namespace per cluster that holds the GPU leases of every lab (a GPU is one physical thing). */
export const LOCK_NAMESPACE = "gpuvm-locks";

/** Kubernetes caps label values at 63 characters. */
const LABEL_VALUE_MAX = 63;

/**
 * "<namespace>.<name>": a namespace has no dot, so the first dot splits the pair and two labs that differ
 * in either part never share it (two labs named homelab in two namespaces included). When the pair is too
 * long for a label value it becomes "h-" and 40 hex digits of its SHA-256: a form with no dot, so it never
 * equals a short one.
 */
export function labIdentity(namespace: string, name: string): string {
  const plain = `${namespace}.${name}`;
  if (plain.length <= LABEL_VALUE_MAX) return plain;
  return `h-${createHash("sha256")
    .update(JSON.stringify([namespace, name]))
    .digest("hex")
    .slice(0, 40)}`;
}

export function labIdentityOf(lab: Lab): string {
  return labIdentity(lab.cluster.namespace, lab.name);
}

export function labLabels(lab: Lab): Record<string, string> {
  return { [LABEL_MANAGED_BY]: MANAGER, [LABEL_LAB]: lab.name, [LABEL_LAB_ID]: labIdentityOf(lab) };
}

export function vmLabels(lab: Lab, vm: Vm): Record<string, string> {
  return { ...labLabels(lab), [LABEL_VM]: vm.name };
}

export function modeLabels(lab: Lab, vm: Vm, mode: Mode): Record<string, string> {
  return { ...vmLabels(lab, vm), [LABEL_MODE]: mode.name };
}
