// What the lifecycle, ISO and console commands need from "where VMs run", as one interface. KubeVirt
// (kubevirt.ts) is the first engine; a libvirt engine (one box, a domain keeping one identity across
// modes) and a web dashboard (state within half a second, a cancel button) are the next users, so:
//   - every operation takes an AbortSignal and checks it between its writes;
//   - state is watchable: watch() yields the lab's VMs each time one of them changes;
//   - the engine speaks the lab's words (VM, mode, GPU), never its own objects, and reports progress as
//     lines, so the CLI's messages and a dashboard's log read the same.
// The lab's rules (the modes of one VM never run together, one GPU per running VM) are decided by the
// pure plans of cluster/lifecycle-plan.ts, which take ModeView, an engine-neutral reading.
import type { ModeView } from "../cluster/lifecycle-plan.js";
import type { Gpu, Mode, Vm } from "../model/lab.js";

export type { ModeView };

/** Progress, cancellation and the longest wait, for any operation. */
export interface Operation {
  /** A line of progress ("gaming-live: starting"), without its line break. */
  report?(line: string): void;
  signal?: AbortSignal;
  /** How long a wait may take before it ends with an explanation (default: the engine's). */
  timeoutMs?: number;
}

export interface VmState {
  vm: string;
  modes: ModeView[];
}

export type MediaChange =
  | { kind: "attach"; volume: string; drivers?: string }
  /** Remove every CD-ROM drive; the system disk boots first again. */
  | { kind: "detach" }
  /** Take the medium out of the ISO drive, keeping the drive. */
  | { kind: "eject" };

/** Which VM (and mode) a media or console operation means; names outside the lab are allowed. */
export interface VmSelector {
  /** A lab VM name ("gaming") or the name of one of its modes' objects ("gaming-live"). */
  vm: string;
  mode?: string;
  /** The lab's knowledge of it, when a lab file was given. */
  defaultMode?: string;
  systemDisk?: string;
}

export interface MediaOutcome {
  /** The engine's name for the VM that changed ("gaming-live"). */
  vm: string;
  /** What the user should know, one line each. */
  notes: string[];
}

export interface SerialStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: NodeJS.WritableStream;
}

export interface VncServer {
  /** The engine's name for the VM shown ("gaming-live"). */
  vm: string;
  address: string;
  port: number;
  close(): Promise<void>;
}

export interface Engine {
  /** For messages: "kubevirt", "libvirt", "memory". */
  readonly kind: string;
  /** Where the engine acts, for messages ("namespace lab", "qemu:///system"). */
  readonly where: string;

  /** The modes of a lab VM as they are now, one view per mode in the lab's order. */
  read(vm: Vm, op?: Operation): Promise<ModeView[]>;
  /** The lab's VMs, first as they are and again after each change, until the signal aborts. */
  watch(vms: Vm[], signal: AbortSignal): AsyncIterable<VmState[]>;

  /** Runs a mode; refused while the VM's other mode runs or a GPU it passes is held by another VM. */
  start(vm: Vm, mode: Mode, options: { wait: boolean } & Operation): Promise<void>;
  /** Stops whichever mode runs (or the one named); with wait, gives its GPUs back once it is gone. */
  stop(vm: Vm, options: { wait: boolean; mode?: Mode } & Operation): Promise<void>;
  /** Stops every other mode, waits until it is gone, then starts `to`. */
  switchTo(vm: Vm, to: Mode, options: { wait: boolean } & Operation): Promise<void>;
  /** Waits until the mode runs, or until it is gone. */
  waitFor(vm: Vm, mode: Mode, state: "running" | "stopped", op?: Operation): Promise<void>;

  /** Who holds a GPU now (an engine-specific holder name), or undefined when it is free. */
  gpuHolder(gpu: Gpu, op?: Operation): Promise<string | undefined>;

  /** Attaches, detaches or ejects installer media. */
  changeMedia(
    target: VmSelector,
    change: MediaChange,
    options: { restart?: boolean } & Operation,
  ): Promise<MediaOutcome>;
  /** The serial console in these streams; resolves when the user leaves ("escape") or the VM goes ("closed"). */
  openSerial(target: VmSelector, streams: SerialStreams, op?: Operation): Promise<"escape" | "closed">;
  /** Serves the VM's display on a local VNC port until closed (or the signal aborts). */
  serveVnc(target: VmSelector, listen: { address: string; port: number }, op?: Operation): Promise<VncServer>;
}
