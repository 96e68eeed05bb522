// What apply would change, object by object, as the server answers a dry run: every object is
// server-side applied with dryRun=All and compared with the live object. Nothing here writes.
import type { V1VirtualMachine } from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import type { KubeClient, KubeObjectJson } from "./client.js";
import { diffObjects, type FieldChange } from "./diff.js";
import { ClusterError } from "./errors.js";
import { withMedia } from "./iso/media.js";
import { findOrphans, pruneDecision } from "./prune.js";
import { describeRef, type ObjectRef, refOf } from "./resources.js";
import { mergeEntries, type SharedEntries, sharedPatch, splitKubeVirt } from "./shared-config.js";

/** "blocked": prune would delete it, but it is a VM that runs (prune refuses until it is stopped). */
export type Action = "create" | "update" | "unchanged" | "prune" | "blocked" | "keep" | "conflict" | "error";

export interface PlanEntry {
  ref: ObjectRef;
  action: Action;
  changes: FieldChange[];
  /** What gpuvm sends with server-side apply (the KubeVirt CR without its shared lists). */
  applied?: KubeObjectJson;
  /** Entries gpuvm adds to the KubeVirt CR's shared lists. */
  shared?: SharedEntries;
  note?: string;
}

export interface Plan {
  entries: PlanEntry[];
}

function isKubeVirtCr(obj: KubeObjectJson): boolean {
  return obj.apiVersion === "kubevirt.io/v1" && obj.kind === "KubeVirt";
}

function withSharedLists(obj: KubeObjectJson, lists: SharedEntries): KubeObjectJson {
  const copy = structuredClone(obj) as KubeObjectJson & {
    spec?: { configuration?: Record<string, unknown> };
  };
  copy.spec ??= {};
  copy.spec.configuration ??= {};
  const config = copy.spec.configuration as Record<string, Record<string, unknown>>;
  if (lists.featureGates.length > 0) {
    config.developerConfiguration = {
      ...(config.developerConfiguration ?? {}),
      featureGates: lists.featureGates,
    };
  }
  if (lists.pciHostDevices.length > 0) {
    config.permittedHostDevices = {
      ...(config.permittedHostDevices ?? {}),
      pciHostDevices: lists.pciHostDevices,
    };
  }
  return copy;
}

// The same wire object seen through the generic JSON type and through KubeVirt's published type.
const asVm = (obj: KubeObjectJson) => obj as unknown as V1VirtualMachine;
const asJson = (vm: V1VirtualMachine) => vm as unknown as KubeObjectJson;

function isVirtualMachine(obj: KubeObjectJson): boolean {
  return obj.apiVersion === "kubevirt.io/v1" && obj.kind === "VirtualMachine";
}

/**
 * Whether a VM runs belongs to the lifecycle commands, not to apply: the lab renders VMs Halted so that
 * creating one starts nothing, but re-applying must neither stop a running VM nor fight over the field
 * start/stop wrote. So an existing VM is applied with the runStrategy it has.
 */
function keepRunStrategy(applied: KubeObjectJson, live: KubeObjectJson): KubeObjectJson {
  const liveSpec = (live.spec ?? {}) as { runStrategy?: string };
  const copy = structuredClone(applied) as KubeObjectJson & { spec: { runStrategy?: string } };
  if (liveSpec.runStrategy !== undefined) copy.spec.runStrategy = liveSpec.runStrategy;
  else delete copy.spec.runStrategy;
  return copy;
}

async function planObject(
  client: KubeClient,
  desired: KubeObjectJson,
  missingNamespace: string | undefined,
  force: boolean,
): Promise<PlanEntry> {
  const ref = refOf(desired);
  const shared = isKubeVirtCr(desired) ? splitKubeVirt(desired) : undefined;
  const applied = shared ? shared.applied : desired;
  const base: Pick<PlanEntry, "ref" | "applied" | "shared"> = {
    ref,
    applied,
    ...(shared ? { shared: shared.entries } : {}),
  };
  if (ref.namespace && ref.namespace === missingNamespace) {
    // The server cannot dry-run an object into a namespace that does not exist yet.
    return { ...base, action: "create", changes: [], note: `namespace ${ref.namespace} is created first` };
  }
  try {
    const live = await client.get(ref);
    if (live && isVirtualMachine(desired)) {
      // An ISO that `gpuvm iso attach` put in stays attached: apply sends the same (atomic) disk lists.
      base.applied = keepRunStrategy(asJson(withMedia(asVm(applied), asVm(live))), live);
    }
    let next = await client.apply(base.applied as KubeObjectJson, { dryRun: true, force });
    if (shared && live) {
      const patch = sharedPatch(live, shared.entries);
      if (patch) {
        // Ask the server too, so an invalid entry shows up in the plan rather than halfway through apply.
        await client.mergePatch(ref, patch, { dryRun: true });
        next = withSharedLists(next, mergeEntries(live, shared.entries));
      }
    } else if (shared) {
      next = withSharedLists(next, shared.entries);
    }
    if (!live) return { ...base, action: "create", changes: [] };
    const changes = diffObjects(live, next);
    return { ...base, action: changes.length > 0 ? "update" : "unchanged", changes };
  } catch (error) {
    if (error instanceof ClusterError && error.forbidden) throw error;
    if (error instanceof ClusterError && error.conflict && error.reason !== "AlreadyExists") {
      // Another field manager owns a field gpuvm sets; the server names it.
      return { ...base, action: "conflict", changes: [], note: error.serverMessage };
    }
    if (error instanceof ClusterError && error.notFound && error.request.resource.includes(".")) {
      return {
        ...base,
        action: "error",
        changes: [],
        note: `the cluster does not serve ${desired.kind} (${desired.apiVersion}): is its operator or CRD installed? (gpuvm cluster doctor)`,
      };
    }
    if (error instanceof ClusterError)
      return { ...base, action: "error", changes: [], note: error.serverMessage };
    throw error;
  }
}

/** Plans every object (in the order given: apply order) and, after them, what prune would touch. */
export async function makePlan(
  client: KubeClient,
  objects: KubeObjectJson[],
  lab: { name: string; namespace: string },
  options: { force?: boolean } = {},
): Promise<Plan> {
  const namespaceExists =
    (await client.get({ apiVersion: "v1", kind: "Namespace", name: lab.namespace })) !== undefined;
  const missingNamespace = namespaceExists ? undefined : lab.namespace;
  const entries: PlanEntry[] = [];
  for (const obj of objects)
    entries.push(await planObject(client, obj, missingNamespace, options.force === true));
  if (namespaceExists) {
    for (const orphan of await findOrphans(client, lab, objects)) {
      entries.push({ ref: orphan.ref, changes: [], ...pruneDecision(orphan) });
    }
  }
  return { entries };
}

/** True when apply (with --prune) would write anything, or would delete a VM once it is stopped. */
export function hasChanges(plan: Plan): boolean {
  return plan.entries.some((entry) => entry.action !== "unchanged" && entry.action !== "keep");
}

export function describeEntry(entry: PlanEntry): string {
  return describeRef(entry.ref);
}
