// start / stop / switch / restart / wait with the lab's rules: the modes of one VM never run together,
// and a GPU is held by one running VM at a time (Leases, see leases.ts). Start and stop set the mode's
// VirtualMachine spec.runStrategy (Always / Halted) with a merge patch.

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
  LifecycleError,
  type ModeView,
  modeNamed,
  type PlanContext,
  planStart,
  planStop,
  planSwitchAway,
  type Step,
} from "./lifecycle-plan.js";
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
  /** Ends the command between two of its writes (a dashboard's cancel button, Ctrl-C). */
  signal?: AbortSignal;
}

export { LifecycleError };

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
    ...(ctx.signal ? { signal: ctx.signal } : {}),
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

function askedOf(state: ModeState): ModeView["asked"] {
  const strategy = runStrategy(state.vm);
  if (strategy === "Always") return "run";
  return strategy === "Halted" ? "halt" : "other";
}

/** What readMode says, in the engine-neutral terms the plans decide on. */
export function viewOf(mode: Mode, state: ModeState): ModeView {
  return {
    name: mode.name,
    objectName: mode.objectName,
    exists: state.vm !== undefined,
    asked: askedOf(state),
    active: isActive(state),
    phase: phaseOf(state),
  };
}

export async function readViews(ctx: LifecycleContext, vm: Vm): Promise<ModeView[]> {
  const states = await readModes(ctx, vm);
  return vm.modes.map((mode, index) => viewOf(mode, states[index] as ModeState));
}

async function planContext(ctx: LifecycleContext, vm: Vm): Promise<PlanContext> {
  return { vm, views: await readViews(ctx, vm), namespace: ns(ctx), labFile: ctx.lab.source.file };
}

/** Carries out a plan's steps in order; a refusal or a failed wait ends it with the error. */
export async function applySteps(ctx: LifecycleContext, vm: Vm, steps: Step[]): Promise<void> {
  const modeOf = (name: ModeName) => modeNamed(vm, name);
  for (const step of steps) {
    ctx.signal?.throwIfAborted();
    switch (step.kind) {
      case "take-claims":
        await takeClaims(ctx, vm, modeOf(step.mode));
        break;
      case "set-run-strategy":
        await setRunStrategy(ctx, step.objectName, step.strategy);
        break;
      case "confirm-claims":
        await confirmClaims(ctx, vm, modeOf(step.mode));
        break;
      case "wait-running":
        await waitRunning(ctx, step.objectName);
        break;
      case "wait-gone":
        await waitStopped(ctx, step.objectName);
        break;
      case "release-claims":
        await giveBackClaims(ctx, vm, modeOf(step.mode));
        break;
      case "say":
        ctx.report(`${step.line}\n`);
        break;
    }
  }
}

export async function start(ctx: LifecycleContext, vm: Vm, mode: Mode, options: StartOptions): Promise<void> {
  await applySteps(ctx, vm, planStart(await planContext(ctx, vm), mode, options));
}

export async function stop(
  ctx: LifecycleContext,
  vm: Vm,
  options: { wait: boolean; mode?: Mode },
): Promise<void> {
  await applySteps(ctx, vm, planStop(await planContext(ctx, vm), options));
}

export async function switchMode(
  ctx: LifecycleContext,
  vm: Vm,
  to: Mode,
  options: StartOptions,
): Promise<void> {
  await applySteps(ctx, vm, planSwitchAway(await planContext(ctx, vm), to));
  await start(ctx, vm, to, options);
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

/**
 * Watches a mode's instance until `done` holds, passing each change on; past the timeout the error says,
 * in the cluster's own words, why it is not `waitingFor` yet.
 */
async function watchInstance(
  ctx: LifecycleContext,
  objectName: string,
  waitingFor: string,
  done: (vmi: VmiJson | undefined) => boolean,
  onChange: (vmi: VmiJson | undefined) => void,
): Promise<void> {
  try {
    await waitForObject<VmiJson>({
      client: ctx.client,
      ref: vmiRef(ns(ctx), objectName) as ReturnType<typeof vmiRef> & { name: string },
      done,
      onChange,
      onReconnect: (reason) => ctx.report(`  (watch interrupted: ${reason}; resuming)\n`),
      timeoutMs: ctx.timeoutMs,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (error) {
    if (error instanceof WaitTimeoutError) await explainTimeout(ctx, objectName, waitingFor);
    throw error;
  }
}

export async function waitRunning(ctx: LifecycleContext, objectName: string): Promise<void> {
  const done = (vmi: VmiJson | undefined) => vmi?.status?.phase === "Running";
  await watchInstance(ctx, objectName, "running", done, phaseReporter(ctx, objectName));
}

export async function waitStopped(ctx: LifecycleContext, objectName: string): Promise<void> {
  const reportPhase = phaseReporter(ctx, objectName);
  // The instance's last phases are news; its absence is the end, reported once below.
  const onChange = (vmi: VmiJson | undefined) => {
    if (vmi) reportPhase(vmi);
  };
  await watchInstance(ctx, objectName, "stopped", (vmi) => vmi === undefined, onChange);
  ctx.report(`${objectName}: stopped\n`);
}
