// start / stop / switch / restart / wait with the lab's rules: the modes of one VM never run together,
// and a GPU is held by one running VM at a time (Leases, see leases.ts). Start and stop set the mode's
// VirtualMachine spec.runStrategy (Always / Halted) with a merge patch.

import { EXIT, GpuvmError } from "../errors.js";
import type { Lab, Mode, ModeName, Vm } from "../model/lab.js";
import { type KubeClient, LIFECYCLE_MANAGER } from "./client.js";
import { ClusterError } from "./errors.js";
import { explain } from "./explain.js";
import {
  acquire,
  type Claim,
  type ClaimContext,
  confirm,
  gpuClaim,
  holderId,
  parseHolder,
  release,
  vmClaim,
} from "./leases.js";
import {
  isActive,
  type ModeState,
  phaseOf,
  readMode,
  runStrategy,
  type VmiJson,
  vmiRef,
  vmRef,
} from "./vm-state.js";
import { WaitTimeoutError, waitForObject } from "./watch.js";

export interface LifecycleContext {
  client: KubeClient;
  /** The lab, already placed in the namespace the user chose. */
  lab: Lab;
  /** Progress lines (phases, waits, what was done). */
  report(line: string): void;
  timeoutMs: number;
}

/** The cluster's state forbids what was asked (another mode runs, a GPU is held, a wait timed out). */
export class LifecycleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LifecycleError";
  }
}

/** The VM (and the mode, when the user named a VM object such as gaming-compat-maintenance). */
export function findVm(lab: Lab, name: string): { vm: Vm; mode?: Mode } {
  const vm = lab.vms.find((candidate) => candidate.name === name);
  if (vm) return { vm };
  for (const candidate of lab.vms) {
    const mode = candidate.modes.find((m) => m.objectName === name);
    if (mode) return { vm: candidate, mode };
  }
  throw new LifecycleError(
    `lab ${lab.name} has no VM "${name}" (VMs: ${lab.vms.map((known) => known.name).join(", ")})`,
  );
}

export function findMode(vm: Vm, name: ModeName | string | undefined): Mode {
  const wanted = name ?? vm.defaultMode;
  const mode = vm.modes.find((candidate) => candidate.name === wanted);
  if (!mode) {
    throw new LifecycleError(
      `VM ${vm.name} has no ${wanted} mode (modes: ${vm.modes.map((known) => known.name).join(", ")})`,
    );
  }
  return mode;
}

function ns(ctx: LifecycleContext): string {
  return ctx.lab.cluster.namespace;
}

export function claimsOf(namespace: string, vm: Vm, mode: Mode): Claim[] {
  return [vmClaim(namespace, vm.name), ...mode.gpus.map((gpu) => gpuClaim(gpu))];
}

/** The claims' holder: the mode's VirtualMachine, namespace included (GPU leases are cluster-wide). */
function holderOf(ctx: LifecycleContext, mode: Mode): string {
  return holderId(ns(ctx), mode.objectName);
}

/** Whether a holder's VM runs; one this user may not read counts as running (gpuvm cannot tell). */
async function holderRuns(client: KubeClient, holder: string): Promise<boolean> {
  const parsed = parseHolder(holder);
  if (!parsed) return false; // not a holder gpuvm writes: nothing of gpuvm's runs under it
  try {
    return isActive(await readMode(client, parsed.namespace, parsed.name));
  } catch (error) {
    if (error instanceof ClusterError && error.forbidden) return true;
    throw error;
  }
}

function claimContext(ctx: LifecycleContext): ClaimContext {
  return {
    client: ctx.client,
    isRunning: (holder) => holderRuns(ctx.client, holder),
    report: ctx.report,
  };
}

async function readModes(ctx: LifecycleContext, vm: Vm): Promise<ModeState[]> {
  return Promise.all(vm.modes.map((mode) => readMode(ctx.client, ns(ctx), mode.objectName)));
}

async function setRunStrategy(ctx: LifecycleContext, objectName: string, strategy: "Always" | "Halted") {
  await ctx.client.mergePatch(
    vmRef(ns(ctx), objectName),
    { spec: { runStrategy: strategy } },
    { fieldManager: LIFECYCLE_MANAGER },
  );
}

/** How to stop a holder: gpuvm's own command when it is this lab's, else virtctl in its namespace. */
function holderHint(holder: string, ctx: LifecycleContext): string {
  const parsed = parseHolder(holder);
  if (!parsed) return `it is not a VM gpuvm started; delete the lease if nothing uses the GPU`;
  const owner =
    parsed.namespace === ns(ctx)
      ? ctx.lab.vms.find((vm) => vm.modes.some((mode) => mode.objectName === parsed.name))
      : undefined;
  return owner ? `gpuvm stop ${owner.name}` : `virtctl stop ${parsed.name} -n ${parsed.namespace}`;
}

/** Takes every claim of the mode, or none: on a refusal the claims taken so far are given back. */
async function takeClaims(ctx: LifecycleContext, vm: Vm, mode: Mode): Promise<void> {
  const holder = holderOf(ctx, mode);
  const taken: Claim[] = [];
  for (const claim of claimsOf(ns(ctx), vm, mode)) {
    const result = await acquire(claimContext(ctx), claim, holder);
    if (result.ok) {
      taken.push(claim);
      continue;
    }
    for (const mine of taken) await release(ctx.client, mine, holder);
    throw new LifecycleError(
      `${result.claim.what} is held by ${result.holder}; stop it first: ${holderHint(result.holder, ctx)}`,
    );
  }
}

/**
 * After the mode is set to run: marks its claims confirmed. A claim lost in between (this start took
 * longer than the grace and another judged it stale) stops the mode again rather than share the GPU.
 */
async function confirmClaims(ctx: LifecycleContext, vm: Vm, mode: Mode): Promise<void> {
  const holder = holderOf(ctx, mode);
  for (const claim of claimsOf(ns(ctx), vm, mode)) {
    if (await confirm(ctx.client, claim, holder)) continue;
    await setRunStrategy(ctx, mode.objectName, "Halted");
    await giveBackClaims(ctx, vm, mode);
    throw new LifecycleError(
      `${claim.what} was taken over while ${mode.objectName} was starting; ${mode.objectName} is stopped again. Run the start again`,
    );
  }
}

async function giveBackClaims(ctx: LifecycleContext, vm: Vm, mode: Mode): Promise<void> {
  const holder = holderOf(ctx, mode);
  for (const claim of claimsOf(ns(ctx), vm, mode)) await release(ctx.client, claim, holder);
}

export interface StartOptions {
  wait: boolean;
}

export async function start(ctx: LifecycleContext, vm: Vm, mode: Mode, options: StartOptions): Promise<void> {
  const states = await readModes(ctx, vm);
  const target = states.find((state) => state.objectName === mode.objectName) as ModeState;
  if (!target.vm) {
    throw new LifecycleError(
      `VirtualMachine ${mode.objectName} does not exist in namespace ${ns(ctx)}; create it with: gpuvm apply -f ${ctx.lab.source.file}`,
    );
  }
  const other = states.find((state) => state !== target && isActive(state));
  if (other) {
    throw new LifecycleError(
      `${other.objectName} is running; stop it first or use: gpuvm switch ${vm.name} --to ${mode.name}`,
    );
  }
  await takeClaims(ctx, vm, mode);
  if (runStrategy(target.vm) === "Always") {
    ctx.report(`${mode.objectName}: already set to run (${phaseOf(target)})\n`);
  } else {
    await setRunStrategy(ctx, mode.objectName, "Always");
    ctx.report(`${mode.objectName}: starting\n`);
  }
  await confirmClaims(ctx, vm, mode);
  if (options.wait) await waitRunning(ctx, mode.objectName);
}

/** Waits until the mode's VMI is gone, then gives its claims back. */
async function stopMode(ctx: LifecycleContext, vm: Vm, mode: Mode, wait: boolean): Promise<void> {
  const state = await readMode(ctx.client, ns(ctx), mode.objectName);
  if (state.vm && runStrategy(state.vm) !== "Halted") {
    await setRunStrategy(ctx, mode.objectName, "Halted");
    ctx.report(`${mode.objectName}: stopping\n`);
  }
  if (!wait) return;
  await waitStopped(ctx, mode.objectName);
  await giveBackClaims(ctx, vm, mode);
}

export async function stop(
  ctx: LifecycleContext,
  vm: Vm,
  options: { wait: boolean; mode?: Mode },
): Promise<void> {
  const states = await readModes(ctx, vm);
  const active = vm.modes.filter((mode, index) => {
    if (options.mode && options.mode !== mode) return false;
    return isActive(states[index] as ModeState);
  });
  if (active.length === 0) {
    ctx.report(`${vm.name}: not running\n`);
    // Claims left by a stop that did not wait are no longer needed.
    if (options.wait) for (const mode of vm.modes) await giveBackClaims(ctx, vm, mode);
    return;
  }
  for (const mode of active) await stopMode(ctx, vm, mode, options.wait);
}

/**
 * The mode `switch` goes to when none is named: the other one of a two-mode VM, when one of them runs.
 * With neither running there is no "other" mode, and gpuvm does not guess which to start (virtctl never
 * picks a VM for you either): it asks for --to.
 */
export async function otherMode(ctx: LifecycleContext, vm: Vm): Promise<Mode> {
  const choices = vm.modes.map((mode) => mode.name).join("|");
  if (vm.modes.length !== 2) {
    throw new GpuvmError(
      `VM ${vm.name} has only its ${vm.modes[0]?.name} mode; there is no other to switch to`,
      {
        exitCode: EXIT.usage,
      },
    );
  }
  const states = await readModes(ctx, vm);
  const active = vm.modes.filter((_, index) => isActive(states[index] as ModeState));
  const [running] = active;
  if (active.length === 1 && running) return vm.modes.find((mode) => mode !== running) as Mode;
  const why = active.length === 0 ? "neither of its modes runs" : "both of its modes are set to run";
  throw new GpuvmError(`switch ${vm.name}: ${why}, so there is no other mode to go to`, {
    exitCode: EXIT.usage,
    hint: `name the mode to run: gpuvm switch ${vm.name} --to ${choices} (or gpuvm start ${vm.name} for its default mode, ${vm.defaultMode})`,
  });
}

export async function switchMode(
  ctx: LifecycleContext,
  vm: Vm,
  to: Mode,
  options: StartOptions,
): Promise<void> {
  const states = await readModes(ctx, vm);
  for (const [index, mode] of vm.modes.entries()) {
    if (mode === to) continue;
    if (isActive(states[index] as ModeState)) await stopMode(ctx, vm, mode, true);
  }
  await start(ctx, vm, to, options);
}

export async function restart(ctx: LifecycleContext, vm: Vm, mode: Mode | undefined, options: StartOptions) {
  const states = await readModes(ctx, vm);
  const running = vm.modes.find((_, index) => isActive(states[index] as ModeState));
  const target = mode ?? running ?? findMode(vm, undefined);
  await stop(ctx, vm, { wait: true });
  await start(ctx, vm, target, options);
}

function phaseReporter(ctx: LifecycleContext, objectName: string) {
  let lastPhase = "";
  let lastSaid = "";
  return (vmi: VmiJson | undefined) => {
    const phase = vmi ? vmi.status?.phase || "Pending" : "no instance";
    if (phase !== lastPhase) {
      lastPhase = phase;
      ctx.report(`${objectName}: ${phase}\n`);
    }
    if (!vmi) return;
    const why = explain({ objectName, vmi });
    const said = why.said.join("\n");
    if (said && said !== lastSaid) {
      lastSaid = said;
      ctx.report(`${why.said.map((text) => `  ${text}`).join("\n")}\n`);
    }
  };
}

async function explainTimeout(ctx: LifecycleContext, objectName: string, waitingFor: string): Promise<never> {
  const state = await readMode(ctx.client, ns(ctx), objectName);
  const why = explain(state);
  const lines = [
    `${objectName} is not ${waitingFor} after ${Math.round(ctx.timeoutMs / 1000)}s (${phaseOf(state)})`,
  ];
  for (const said of why.said) lines.push(`  ${said}`);
  if (why.fix) lines.push(`what to do: ${why.fix.replaceAll("LAB", ctx.lab.source.file)}`);
  throw new LifecycleError(lines.join("\n"));
}

export async function waitRunning(ctx: LifecycleContext, objectName: string): Promise<void> {
  const onChange = phaseReporter(ctx, objectName);
  try {
    await waitForObject<VmiJson>({
      client: ctx.client,
      ref: vmiRef(ns(ctx), objectName) as ReturnType<typeof vmiRef> & { name: string },
      done: (vmi) => vmi?.status?.phase === "Running",
      onChange,
      onReconnect: (reason) => ctx.report(`  (watch interrupted: ${reason}; resuming)\n`),
      timeoutMs: ctx.timeoutMs,
    });
  } catch (error) {
    if (error instanceof WaitTimeoutError) await explainTimeout(ctx, objectName, "running");
    throw error;
  }
}

export async function waitStopped(ctx: LifecycleContext, objectName: string): Promise<void> {
  const onChange = phaseReporter(ctx, objectName);
  try {
    await waitForObject<VmiJson>({
      client: ctx.client,
      ref: vmiRef(ns(ctx), objectName) as ReturnType<typeof vmiRef> & { name: string },
      done: (vmi) => vmi === undefined,
      onChange: (vmi) => {
        if (vmi) onChange(vmi);
      },
      onReconnect: (reason) => ctx.report(`  (watch interrupted: ${reason}; resuming)\n`),
      timeoutMs: ctx.timeoutMs,
    });
    ctx.report(`${objectName}: stopped\n`);
  } catch (error) {
    if (error instanceof WaitTimeoutError) await explainTimeout(ctx, objectName, "stopped");
    throw error;
  }
}

/** The mode `wait --for running` waits on: the one named, else the one set to run, else the default. */
export async function modeToAwait(ctx: LifecycleContext, vm: Vm, named: Mode | undefined): Promise<Mode> {
  if (named) return named;
  const states = await readModes(ctx, vm);
  const active = vm.modes.find((_, index) => isActive(states[index] as ModeState));
  return active ?? findMode(vm, undefined);
}
