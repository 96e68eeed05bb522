// The lifecycle decisions as pure functions: from what was read about a VM's modes to a plan of writes
// (take the claims, set a run strategy, wait, give the claims back) or a refusal. Nothing here reads or
// writes: lifecycle.ts reads, applies the plan step by step and retries, so the rules (the modes of one
// VM never run together, a mode that does not exist is never started) are table-tested on their own.
// The input is engine-neutral (exists / set to run / active), so another engine can plan with it too.
import { EXIT, GpuvmError } from "../errors.js";
import type { Mode, ModeName, Vm } from "../model/lab.js";

/** What one mode of a VM looks like now, as any engine can say it. */
export interface ModeView {
  name: ModeName;
  objectName: string;
  /** The engine knows the mode (its VirtualMachine or domain exists). */
  exists: boolean;
  /**
   * What it is asked to do: "run" (runStrategy Always, a started domain), "halt", or "other" (a strategy
   * gpuvm never sets, such as Manual or RerunOnFailure: start sets it to run, stop halts it).
   */
  asked: "run" | "halt" | "other";
  /** Running or about to: set to run, or an instance still holds its devices. */
  active: boolean;
  /** What to show the user ("Running", "Stopped", "no instance"). */
  phase: string;
}

export type Step =
  /** Take the mode's VM claim and its GPU claims, all or none. */
  | { kind: "take-claims"; mode: ModeName }
  | { kind: "set-run-strategy"; objectName: string; strategy: "Always" | "Halted" }
  /** Mark the claims taken for good; a claim lost meanwhile stops the mode again. */
  | { kind: "confirm-claims"; mode: ModeName }
  | { kind: "wait-running"; objectName: string }
  | { kind: "wait-gone"; objectName: string }
  | { kind: "release-claims"; mode: ModeName }
  | { kind: "say"; line: string };

/** The cluster's state forbids what was asked (another mode runs, a GPU is held, a wait timed out). */
export class LifecycleError extends GpuvmError {}

/** Why a command chooses a mode when none is named. */
export type ModePurpose =
  /** start: the lab's default mode (a running other mode is a refusal, not a choice). */
  | "start"
  /** restart, wait --for running, console, vnc, iso: the mode that is active, else the default. */
  | "act-on"
  /** switch: the other mode of a two-mode VM, when exactly one of them is active. */
  | "switch";

export function modeNamed(vm: Vm, name: string | undefined): Mode {
  const wanted = name ?? vm.defaultMode;
  const mode = vm.modes.find((candidate) => candidate.name === wanted);
  if (!mode) {
    throw new LifecycleError(
      `VM ${vm.name} has no ${wanted} mode (modes: ${vm.modes.map((known) => known.name).join(", ")})`,
      { exitCode: EXIT.usage },
    );
  }
  return mode;
}

/**
 * The "act-on" rule over mode names alone, so that a VM found only through the cluster's labels (no lab
 * file) is chosen by the same rule as a lab's: the active mode (the default one if several are), else
 * the default, else the only mode there is; undefined when that leaves a choice to the user.
 */
export function actOnMode(modes: string[], active: string[], defaultMode?: string): string | undefined {
  if (defaultMode !== undefined && active.includes(defaultMode)) return defaultMode;
  if (active[0] !== undefined) return active[0];
  if (defaultMode !== undefined && modes.includes(defaultMode)) return defaultMode;
  return modes.length === 1 ? modes[0] : undefined;
}

/**
 * The one rule for the mode a command acts on: the mode named (--mode, --to, or a VirtualMachine name
 * such as gaming-live) always wins; otherwise start takes the default mode, switch the other one of a
 * two-mode VM whose one mode is active, and every other command the active mode (the default's, when
 * both are active), else the default.
 */
export function chooseMode(vm: Vm, views: ModeView[], purpose: ModePurpose, named?: string): Mode {
  if (named !== undefined) return modeNamed(vm, named);
  if (purpose === "start") return modeNamed(vm, undefined);
  const active = vm.modes.filter((mode) => views.find((view) => view.name === mode.name)?.active);
  if (purpose === "act-on") {
    const names = vm.modes.map((mode) => mode.name);
    return modeNamed(
      vm,
      actOnMode(
        names,
        active.map((mode) => mode.name),
        vm.defaultMode,
      ),
    );
  }
  const choices = vm.modes.map((mode) => mode.name).join("|");
  if (vm.modes.length !== 2) {
    throw new GpuvmError(
      `VM ${vm.name} has only its ${vm.modes[0]?.name} mode; there is no other to switch to`,
      { exitCode: EXIT.usage },
    );
  }
  const [running] = active;
  if (active.length === 1 && running) return vm.modes.find((mode) => mode !== running) as Mode;
  // With neither running there is no "other" mode, and gpuvm does not guess which to start.
  const why = active.length === 0 ? "neither of its modes runs" : "both of its modes are set to run";
  throw new GpuvmError(`switch ${vm.name}: ${why}, so there is no other mode to go to`, {
    exitCode: EXIT.usage,
    hint: `name the mode to run: gpuvm switch ${vm.name} --to ${choices} (or gpuvm start ${vm.name} for its default mode, ${vm.defaultMode})`,
  });
}

export interface PlanContext {
  vm: Vm;
  /** One view per mode of the VM, as read just now. */
  views: ModeView[];
  namespace: string;
  /** The lab file, for the advice to apply it. */
  labFile: string;
}

function viewOf(ctx: PlanContext, mode: Mode): ModeView {
  const view = ctx.views.find((candidate) => candidate.name === mode.name);
  // Every caller reads all modes first; a missing view is a bug in gpuvm, not something a user did.
  if (!view) {
    throw new GpuvmError(`gpuvm read no state for ${mode.objectName} before deciding`, {
      hint: "this is a bug in gpuvm: run again with GPUVM_DEBUG=1 and report what it prints",
    });
  }
  return view;
}

export function planStart(ctx: PlanContext, mode: Mode, options: { wait: boolean }): Step[] {
  const target = viewOf(ctx, mode);
  if (!target.exists) {
    throw new LifecycleError(
      `VirtualMachine ${mode.objectName} does not exist in namespace ${ctx.namespace}; create it with: gpuvm apply -f ${ctx.labFile}`,
    );
  }
  const other = ctx.views.find((view) => view.name !== mode.name && view.active);
  if (other) {
    throw new LifecycleError(
      `${other.objectName} is running; stop it first or use: gpuvm switch ${ctx.vm.name} --to ${mode.name}`,
    );
  }
  const steps: Step[] = [{ kind: "take-claims", mode: mode.name }];
  if (target.asked === "run") {
    steps.push({ kind: "say", line: `${mode.objectName}: already set to run (${target.phase})` });
  } else {
    steps.push(
      { kind: "set-run-strategy", objectName: mode.objectName, strategy: "Always" },
      { kind: "say", line: `${mode.objectName}: starting` },
    );
  }
  steps.push({ kind: "confirm-claims", mode: mode.name });
  if (options.wait) steps.push({ kind: "wait-running", objectName: mode.objectName });
  return steps;
}

/** Stops one mode: halts it if it is set to run, and with `wait` gives its claims back once it is gone. */
function stopSteps(mode: Mode, view: ModeView, wait: boolean): Step[] {
  const steps: Step[] = [];
  if (view.exists && view.asked !== "halt") {
    steps.push(
      { kind: "set-run-strategy", objectName: mode.objectName, strategy: "Halted" },
      { kind: "say", line: `${mode.objectName}: stopping` },
    );
  }
  if (wait)
    steps.push(
      { kind: "wait-gone", objectName: mode.objectName },
      { kind: "release-claims", mode: mode.name },
    );
  return steps;
}

export function planStop(ctx: PlanContext, options: { wait: boolean; mode?: Mode }): Step[] {
  const active = ctx.vm.modes.filter(
    (mode) => (!options.mode || options.mode.name === mode.name) && viewOf(ctx, mode).active,
  );
  if (active.length === 0) {
    const steps: Step[] = [{ kind: "say", line: `${ctx.vm.name}: not running` }];
    // Claims left by a stop that did not wait are no longer needed.
    if (options.wait)
      for (const mode of ctx.vm.modes) steps.push({ kind: "release-claims", mode: mode.name });
    return steps;
  }
  return active.flatMap((mode) => stopSteps(mode, viewOf(ctx, mode), options.wait));
}

/**
 * The first half of a switch: every other active mode stopped and waited for. The start that follows is
 * planned on a fresh read (planStart), so it sees what the stop left.
 */
export function planSwitchAway(ctx: PlanContext, to: Mode): Step[] {
  return ctx.vm.modes
    .filter((mode) => mode.name !== to.name && viewOf(ctx, mode).active)
    .flatMap((mode) => stopSteps(mode, viewOf(ctx, mode), true));
}
