import { HostUserError } from "../errors.js";
import type { VfioPlan } from "./plan.js";
import { type BindingState, readState, STATE_FILE, serializeState } from "./state.js";
import { fsWriter, reasonOf, type SysfsWriter } from "./writer.js";

export interface ApplyOptions {
  root: string;
  writer?: SysfsWriter;
}

export interface ApplyResult {
  /** sysfs writes done (the state file is not counted). */
  written: number;
  state: BindingState;
}

/**
 * Runs a plan. Refused plans never start; every target is checked writable before the first
 * write, so a read-only tree or a missing permission fails with nothing changed.
 */
export function applyPlan(plan: VfioPlan, options: ApplyOptions): ApplyResult {
  if (plan.refusals.length) {
    throw new HostUserError(
      `refusing to ${plan.action} ${plan.target}:\n  - ${plan.refusals.join("\n  - ")}`,
    );
  }
  const writer = options.writer ?? fsWriter(options.root);
  const state = readState(options.root);
  const next: BindingState = { version: 1, bindings: { ...state.bindings } };
  for (const [addr, rec] of Object.entries(plan.record)) {
    // A second bind keeps the first original driver: that is the one to go back to.
    next.bindings[addr] = state.bindings[addr] ?? rec;
  }
  for (const addr of plan.forget) delete next.bindings[addr];
  const stateChanged = Object.keys(plan.record).length > 0 || plan.forget.length > 0;

  const problems: string[] = [];
  const seen = new Set<string>();
  for (const w of plan.writes) {
    if (seen.has(w.path)) continue;
    seen.add(w.path);
    const why = writer.cannotWrite(w.path);
    if (why) problems.push(`${w.path}: ${why}`);
  }
  if (stateChanged) {
    const why = writer.cannotWrite(STATE_FILE, { create: true });
    if (why) problems.push(`${STATE_FILE}: ${why}`);
  }
  if (problems.length) {
    throw new HostUserError(
      `cannot ${plan.action} ${plan.target}, nothing was changed:\n  - ${problems.join("\n  - ")}`,
      "run as root on the host itself (sysfs is read-only inside most containers)",
    );
  }

  // Record the original drivers before touching sysfs, so an interrupted bind can still be undone.
  if (plan.action === "bind" && stateChanged)
    writer.write(STATE_FILE, serializeState(next), { create: true });
  let written = 0;
  for (const w of plan.writes) {
    try {
      writer.write(w.path, w.value);
      written += 1;
    } catch (err) {
      throw new HostUserError(
        `writing ${JSON.stringify(w.value.trim())} to ${w.path} failed: ${reasonOf(err)} (${written} of ${plan.writes.length} writes done)`,
        plan.action === "bind"
          ? `gpuvm host unbind ${plan.target} --apply puts back what was done`
          : undefined,
      );
    }
  }
  if (plan.action === "unbind" && stateChanged)
    writer.write(STATE_FILE, serializeState(next), { create: true });
  return { written, state: next };
}
