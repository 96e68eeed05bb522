// The KubeVirt engine: each mode of a lab VM is a VirtualMachine "<vm>-<mode>" in one namespace, a GPU
// is held through a Lease (cluster/leases.ts), media are a JSON patch of the VM's disks. Everything here
// delegates to src/cluster; this file only translates the Engine's words into those calls.
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeClient } from "../cluster/client.js";
import { runConsole } from "../cluster/console/serial.js";
import { startVncProxy } from "../cluster/console/vnc-proxy.js";
import { attachIso, detachIso, ejectIso } from "../cluster/iso/attach.js";
import { gpuClaim, holderOf } from "../cluster/leases.js";
import {
  type LifecycleContext,
  readViews,
  start,
  stop,
  switchMode,
  waitRunning,
  waitStopped,
} from "../cluster/lifecycle.js";
import { chooseMode } from "../cluster/lifecycle-plan.js";
import { findVm } from "../cluster/vm-lookup.js";
import { GpuvmError } from "../errors.js";
import type { Gpu, Lab, Mode, Vm } from "../model/lab.js";
import { quoteForMessage } from "../terminal.js";
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

export interface KubeVirtEngineOptions {
  client: KubeClient;
  namespace: string;
  /** The lab placed in `namespace`; the lifecycle operations need it, media and consoles do not. */
  lab?: Lab;
  /** The wait limit when an operation names none. */
  timeoutMs?: number;
  /** Progress when an operation names no report of its own. */
  report?(line: string): void;
}

/** How often watch() reads again: twice within the half second a dashboard may lag. */
const WATCH_EVERY_MS = 200;

export class KubeVirtEngine implements Engine {
  readonly kind = "kubevirt";
  readonly where: string;

  constructor(private readonly options: KubeVirtEngineOptions) {
    this.where = `namespace ${options.namespace}`;
  }

  private lifecycle(op: Operation = {}): LifecycleContext {
    const lab = this.options.lab;
    if (!lab)
      throw new GpuvmError("this command needs a lab file", {
        exitCode: 2,
        hint: "pass -f LAB or set GPUVM_LAB",
      });
    const report = op.report ?? this.options.report;
    return {
      client: this.options.client,
      lab,
      report: (line) => report?.(line.replace(/\n$/, "")),
      timeoutMs: op.timeoutMs ?? this.options.timeoutMs ?? 300_000,
      ...(op.signal ? { signal: op.signal } : {}),
    };
  }

  read(vm: Vm, op?: Operation): Promise<ModeView[]> {
    return readViews(this.lifecycle(op), vm);
  }

  async *watch(vms: Vm[], signal: AbortSignal): AsyncIterable<VmState[]> {
    let last = "";
    while (!signal.aborted) {
      const states = await Promise.all(
        vms.map(async (vm) => ({ vm: vm.name, modes: await this.read(vm, { signal }) })),
      );
      const seen = JSON.stringify(states);
      if (seen !== last) {
        last = seen;
        yield states;
      }
      await sleep(WATCH_EVERY_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  start(vm: Vm, mode: Mode, options: { wait: boolean } & Operation): Promise<void> {
    return start(this.lifecycle(options), vm, mode, { wait: options.wait });
  }

  stop(vm: Vm, options: { wait: boolean; mode?: Mode } & Operation): Promise<void> {
    return stop(this.lifecycle(options), vm, {
      wait: options.wait,
      ...(options.mode ? { mode: options.mode } : {}),
    });
  }

  switchTo(vm: Vm, to: Mode, options: { wait: boolean } & Operation): Promise<void> {
    return switchMode(this.lifecycle(options), vm, to, { wait: options.wait });
  }

  waitFor(_vm: Vm, mode: Mode, state: "running" | "stopped", op?: Operation): Promise<void> {
    const ctx = this.lifecycle(op);
    return state === "running" ? waitRunning(ctx, mode.objectName) : waitStopped(ctx, mode.objectName);
  }

  gpuHolder(gpu: Gpu): Promise<string | undefined> {
    return holderOf(this.options.client, gpuClaim(gpu));
  }

  /**
   * The mode a media or console command means when none was named: chooseMode's "act-on" rule, the same
   * as restart and wait, when the lab knows the VM; else vm-lookup's reading of the cluster's labels.
   */
  private async select(target: VmSelector, op?: Operation): Promise<VmSelector> {
    const vm = target.mode ? undefined : this.options.lab?.vms.find((known) => known.name === target.vm);
    if (!vm) return target;
    return { ...target, mode: chooseMode(vm, await this.read(vm, op), "act-on").name };
  }

  async changeMedia(
    target: VmSelector,
    change: MediaChange,
    options: { restart?: boolean } & Operation,
  ): Promise<MediaOutcome> {
    const selected = await this.select(target, options);
    options.signal?.throwIfAborted();
    const request = {
      ...selected,
      api: this.options.client,
      namespace: this.options.namespace,
      ...(options.restart ? { restart: true } : {}),
    };
    if (change.kind === "attach") {
      return attachIso({
        ...request,
        volume: change.volume,
        ...(change.drivers ? { drivers: change.drivers } : {}),
      });
    }
    return change.kind === "detach" ? detachIso(request) : ejectIso(request);
  }

  async openSerial(
    target: VmSelector,
    streams: SerialStreams,
    op: Operation = {},
  ): Promise<"escape" | "closed"> {
    const { client, namespace } = this.options;
    const found = await findVm(client, { ...(await this.select(target, op)), namespace });
    const where = quoteForMessage(`${namespace}/${found.name}`);
    if (!found.instance)
      throw new GpuvmError(`${where} is not running`, { hint: `gpuvm start ${quoteForMessage(target.vm)}` });
    // KubeVirt serves the console of a Running VMI only (anything else is 400 "VMI is not running").
    const phase = found.instance.status?.phase;
    if (phase !== "Running") {
      throw new GpuvmError(`${where} is ${quoteForMessage(phase || "Pending")}, not Running yet`, {
        hint: `gpuvm wait ${quoteForMessage(target.vm)} --for running, then connect again`,
      });
    }
    op.signal?.throwIfAborted();
    return runConsole({
      api: client,
      namespace,
      vm: found.name,
      input: streams.input,
      output: streams.output,
      log: (line) => op.report?.(line),
    });
  }

  async serveVnc(
    target: VmSelector,
    listen: { address: string; port: number },
    op: Operation = {},
  ): Promise<VncServer> {
    const { client, namespace } = this.options;
    const found = await findVm(client, { ...(await this.select(target, op)), namespace });
    const proxy = await startVncProxy({
      api: client,
      namespace,
      vm: found.name,
      address: listen.address,
      port: listen.port,
      log: (line) => op.report?.(line),
    });
    op.signal?.addEventListener("abort", () => void proxy.close(), { once: true });
    return { vm: found.name, address: proxy.address, port: proxy.port, close: () => proxy.close() };
  }
}
