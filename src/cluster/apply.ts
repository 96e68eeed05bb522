// Applies a plan: server-side apply (field manager gpuvm, no force unless asked) in the plan's order,
// the KubeVirt CR's shared lists by read-modify-write, and, when asked, prune of orphans (never volumes).
// Only entries the dry run found different are written, so re-running an applied lab writes nothing and
// re-running an interrupted apply simply finishes it.

import { GpuvmError } from "../errors.js";
import type { KubeClient, KubeObjectJson } from "./client.js";
import { ClusterError } from "./errors.js";
import type { Plan, PlanEntry } from "./plan.js";
import { runningReason } from "./prune.js";
import { describeRef, type ObjectRef } from "./resources.js";
import { type SharedEntries, sharedPatch } from "./shared-config.js";

export type Outcome = "created" | "configured" | "unchanged" | "pruned" | "kept";

export interface ApplyOptions {
  prune: boolean;
  forceConflicts: boolean;
  onProgress?: (entry: PlanEntry, outcome: Outcome) => void;
}

/** --prune would delete a VirtualMachine that runs: gpuvm refuses rather than kill the guest. */
export class PruneRunningError extends GpuvmError {
  constructor(entries: { ref: ObjectRef; note?: string }[]) {
    super(
      `--prune would delete ${entries.length === 1 ? "a VM that runs" : `${entries.length} VMs that run`}; nothing was applied:\n${entries
        .map((entry) => `  ${describeRef(entry.ref)}: ${entry.note ?? "it runs"}`)
        .join("\n")}`,
      { hint: "stop it as the line says, or apply without --prune to leave it in place" },
    );
  }
}

/** SSA refused because another field manager owns a field gpuvm sets. */
export class ApplyConflictError extends GpuvmError {
  constructor(
    readonly ref: ObjectRef,
    serverMessage: string,
  ) {
    super(
      `${describeRef(ref)}: another field manager owns fields gpuvm sets.\n${serverMessage}\n` +
        "gpuvm did not take them over. Change the lab to agree with the cluster, or re-run with --force-conflicts to take ownership.",
    );
  }
}

const MAX_SHARED_ATTEMPTS = 10;

/** Adds the lab's entries to the KubeVirt CR's shared lists, retrying when someone writes in between. */
export async function addSharedEntries(
  client: KubeClient,
  ref: ObjectRef,
  wanted: SharedEntries,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const live = await client.get<KubeObjectJson>(ref);
    if (!live) {
      throw new GpuvmError(`${describeRef(ref)} disappeared while gpuvm was adding its entries`, {
        hint: "check that KubeVirt is installed, then run gpuvm apply again",
      });
    }
    const patch = sharedPatch(live, wanted);
    if (!patch) return false;
    try {
      await client.mergePatch(ref, patch);
      return true;
    } catch (error) {
      if (error instanceof ClusterError && error.conflict && attempt < MAX_SHARED_ATTEMPTS) continue;
      throw error;
    }
  }
}

async function applyEntry(client: KubeClient, entry: PlanEntry, options: ApplyOptions): Promise<Outcome> {
  if (entry.action === "unchanged") return "unchanged";
  if (entry.action === "keep") return "kept";
  if (entry.action === "prune" || entry.action === "blocked") {
    if (!options.prune) return "kept";
    // Started since the plan was made? Look again right before the delete.
    const running = await runningReason(client, entry.ref);
    if (running) throw new PruneRunningError([{ ref: entry.ref, note: running }]);
    await client.delete(entry.ref);
    return "pruned";
  }
  const applied = entry.applied as KubeObjectJson;
  for (let attempt = 1; ; attempt++) {
    try {
      await client.apply(applied, { force: options.forceConflicts });
      break;
    } catch (error) {
      // Two applies creating one object at once: the loser's create fails; applying again updates it.
      if (error instanceof ClusterError && error.reason === "AlreadyExists" && attempt < 3) continue;
      if (error instanceof ClusterError && error.conflict) {
        throw new ApplyConflictError(entry.ref, error.serverMessage);
      }
      throw error;
    }
  }
  if (entry.shared) await addSharedEntries(client, entry.ref, entry.shared);
  return entry.action === "create" ? "created" : "configured";
}

export async function applyPlan(client: KubeClient, plan: Plan, options: ApplyOptions): Promise<Outcome[]> {
  const conflict = plan.entries.find((entry) => entry.action === "conflict");
  if (conflict) throw new ApplyConflictError(conflict.ref, conflict.note ?? "");
  const blocked = plan.entries.filter((entry) => entry.action === "blocked");
  if (options.prune && blocked.length > 0) throw new PruneRunningError(blocked);
  const failed = plan.entries.filter((entry) => entry.action === "error");
  if (failed.length > 0) {
    throw new GpuvmError(
      `the server would refuse ${failed.length} object(s); nothing was applied:\n${failed
        .map((entry) => `  ${describeRef(entry.ref)}: ${entry.note}`)
        .join("\n")}`,
    );
  }
  const outcomes: Outcome[] = [];
  for (const entry of plan.entries) {
    const outcome = await applyEntry(client, entry, options);
    outcomes.push(outcome);
    options.onProgress?.(entry, outcome);
  }
  return outcomes;
}
