// An engine that keeps its VMs in memory: for tests of the commands' decisions and messages, and for
// a dashboard developed without a cluster. It plans with the same pure functions as the KubeVirt engine
// (cluster/lifecycle-plan.ts) and applies the steps to a map, so the lab's rules hold here too. A mode
// set to run runs at once and a halted one is gone at once, unless `hold()` keeps it in between.
import {
  LifecycleError,
  type PlanContext,
  planStart,
  planStop,
  planSwitchAway,
  type Step,
} from "../cluster/lifecycle-plan.js";
import { GpuvmError } from "../errors.js";
import type { Gpu, Lab, Mode, Vm } from "../model/lab.js";
import type {
  Engine,
  MediaChange,
  MediaOutcome,
  ModeView,
  Operation,
  SerialStreams,
  VmSelector,
  VmState,
  VncServer,
} from "./engine.js";

interface MemoryMode {
  asked: ModeView["asked"];
  /** An instance exists (it may still be shutting down). */
  instance: boolean;
  iso?: string;
}

const gpuKey = (gpu: Gpu) => `${gpu.host}/${gpu.key}`;

export class MemoryEngine implements Engine {
  readonly kind = "memory";
  readonly where = "memory";
  private readonly modes = new Map<string, MemoryMode>();
  /** GPU key or "vm:<name>" → holder (a mode's object name). */
  private readonly claims = new Map<string, string>();
  /** Objects whose state stays as it is (starting or stopping) until release(). */
  private readonly held = new Set<string>();
  private readonly listeners = new Set<() => void>();
  /** Every write, in order, for tests: "Always gaming-live", "take gaming-live". */
  readonly writes: string[] = [];

  constructor(readonly lab: Lab) {
    for (const vm of lab.vms)
      for (const mode of vm.modes) this.modes.set(mode.objectName, { asked: "halt", instance: false });
  }

  /** Sets a mode's state directly (a test's starting point). */
  set(objectName: string, state: Partial<MemoryMode> | undefined): void {
    if (state === undefined) this.modes.delete(objectName);
    else
      this.modes.set(objectName, { asked: "halt", instance: false, ...this.modes.get(objectName), ...state });
    this.changed();
  }

  /** Keeps an object from finishing its start or stop until release(). */
  hold(objectName: string): void {
    this.held.add(objectName);
  }

  release(objectName: string): void {
    this.held.delete(objectName);
    this.settle(objectName);
  }

  /** Gives a GPU to a holder outside the lab (another lab's VM). */
  claimGpu(gpu: Gpu, holder: string): void {
    this.claims.set(gpuKey(gpu), holder);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private settle(objectName: string): void {
    const mode = this.modes.get(objectName);
    if (!mode || this.held.has(objectName)) return;
    mode.instance = mode.asked !== "halt";
    this.changed();
  }

  private view(mode: Mode): ModeView {
    const state = this.modes.get(mode.objectName);
    if (!state)
      return {
        name: mode.name,
        objectName: mode.objectName,
        exists: false,
        asked: "halt",
        active: false,
        phase: "no instance",
      };
    return {
      name: mode.name,
      objectName: mode.objectName,
      exists: true,
      asked: state.asked,
      active: state.instance || state.asked !== "halt",
      phase: state.instance ? "Running" : "Stopped",
    };
  }

  private isActive(objectName: string): boolean {
    const state = this.modes.get(objectName);
    return state !== undefined && (state.instance || state.asked !== "halt");
  }

  async read(vm: Vm): Promise<ModeView[]> {
    return vm.modes.map((mode) => this.view(mode));
  }

  async *watch(vms: Vm[], signal: AbortSignal): AsyncIterable<VmState[]> {
    let dirty = true;
    let wake: (() => void) | undefined;
    const listener = () => {
      dirty = true;
      wake?.();
    };
    this.listeners.add(listener);
    const aborted = () => wake?.();
    signal.addEventListener("abort", aborted);
    try {
      while (!signal.aborted) {
        if (dirty) {
          dirty = false;
          yield await Promise.all(vms.map(async (vm) => ({ vm: vm.name, modes: await this.read(vm) })));
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      this.listeners.delete(listener);
      signal.removeEventListener("abort", aborted);
    }
  }

  private context(vm: Vm): PlanContext {
    return {
      vm,
      views: vm.modes.map((mode) => this.view(mode)),
      namespace: this.where,
      labFile: this.lab.source.file,
    };
  }

  private claimKeys(vm: Vm, mode: Mode): { key: string; what: string }[] {
    return [
      { key: `vm:${vm.name}`, what: `VM ${vm.name}` },
      ...mode.gpus.map((gpu) => ({ key: gpuKey(gpu), what: `GPU ${gpu.key} on ${gpu.host}` })),
    ];
  }

  private apply(vm: Vm, steps: Step[], op: Operation): void {
    const modeOf = (name: string) => vm.modes.find((mode) => mode.name === name) as Mode;
    for (const step of steps) {
      op.signal?.throwIfAborted();
      switch (step.kind) {
        case "take-claims": {
          const mode = modeOf(step.mode);
          const keys = this.claimKeys(vm, mode);
          for (const { key, what } of keys) {
            const holder = this.claims.get(key);
            if (holder && holder !== mode.objectName && (this.isActive(holder) || !this.modes.has(holder))) {
              throw new LifecycleError(`${what} is held by ${holder}; stop it first`);
            }
          }
          for (const { key } of keys) this.claims.set(key, mode.objectName);
          this.writes.push(`take ${mode.objectName}`);
          break;
        }
        case "release-claims": {
          const mode = modeOf(step.mode);
          for (const { key } of this.claimKeys(vm, mode)) {
            if (this.claims.get(key) === mode.objectName) this.claims.delete(key);
          }
          this.writes.push(`release ${mode.objectName}`);
          break;
        }
        case "set-run-strategy": {
          const state = this.modes.get(step.objectName);
          if (!state) throw new GpuvmError(`${step.objectName} does not exist`);
          state.asked = step.strategy === "Always" ? "run" : "halt";
          this.writes.push(`${step.strategy} ${step.objectName}`);
          this.settle(step.objectName);
          break;
        }
        case "confirm-claims":
          break;
        case "wait-running":
        case "wait-gone":
          this.waitNow(step.objectName, step.kind === "wait-running" ? "running" : "stopped");
          op.report?.(`${step.objectName}: ${step.kind === "wait-running" ? "Running" : "stopped"}`);
          break;
        case "say":
          op.report?.(step.line);
          break;
      }
    }
  }

  /** A held object never gets there: the wait ends as a timed-out wait does. */
  private waitNow(objectName: string, state: "running" | "stopped"): void {
    const instance = this.modes.get(objectName)?.instance ?? false;
    if (instance === (state === "running")) return;
    throw new LifecycleError(`${objectName} is not ${state} (held)`);
  }

  async start(vm: Vm, mode: Mode, options: { wait: boolean } & Operation): Promise<void> {
    this.apply(vm, planStart(this.context(vm), mode, options), options);
  }

  async stop(vm: Vm, options: { wait: boolean; mode?: Mode } & Operation): Promise<void> {
    this.apply(vm, planStop(this.context(vm), options), options);
  }

  async switchTo(vm: Vm, to: Mode, options: { wait: boolean } & Operation): Promise<void> {
    this.apply(vm, planSwitchAway(this.context(vm), to), options);
    await this.start(vm, to, options);
  }

  async waitFor(_vm: Vm, mode: Mode, state: "running" | "stopped", op: Operation = {}): Promise<void> {
    op.signal?.throwIfAborted();
    this.waitNow(mode.objectName, state);
  }

  async gpuHolder(gpu: Gpu): Promise<string | undefined> {
    return this.claims.get(gpuKey(gpu));
  }

  private objectOf(target: VmSelector): string {
    const vm = this.lab.vms.find((candidate) => candidate.name === target.vm);
    if (!vm) return target.vm;
    const mode = vm.modes.find(
      (candidate) => candidate.name === (target.mode ?? target.defaultMode ?? vm.defaultMode),
    );
    return mode?.objectName ?? target.vm;
  }

  async changeMedia(target: VmSelector, change: MediaChange, options: Operation = {}): Promise<MediaOutcome> {
    options.signal?.throwIfAborted();
    const name = this.objectOf(target);
    const state = this.modes.get(name);
    if (!state) throw new GpuvmError(`no VM "${target.vm}" in ${this.where}`);
    if (change.kind === "attach") state.iso = change.volume;
    else delete state.iso;
    this.writes.push(`${change.kind} ${name}`);
    return { vm: name, notes: [`${change.kind} ${name}`] };
  }

  async openSerial(
    target: VmSelector,
    streams: SerialStreams,
    op: Operation = {},
  ): Promise<"escape" | "closed"> {
    const name = this.objectOf(target);
    if (!this.modes.get(name)?.instance) throw new GpuvmError(`${name} is not running`);
    op.report?.(`connected to the serial console of ${name}`);
    streams.output.write("");
    return "escape";
  }

  async serveVnc(target: VmSelector, listen: { address: string; port: number }): Promise<VncServer> {
    return {
      vm: this.objectOf(target),
      address: listen.address,
      port: listen.port,
      close: async () => undefined,
    };
  }
}
