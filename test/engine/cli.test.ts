// The lifecycle commands decide and speak the same on any engine: here an in-memory one (gpuvm's own
// Engine interface, not a cluster mock) shows which mode each command picks and what it writes.
import { describe, expect, it } from "vitest";
import { runRestart } from "../../src/cli/restart.js";
import { runStart } from "../../src/cli/start.js";
import { runStop } from "../../src/cli/stop.js";
import { runSwitch } from "../../src/cli/switch.js";
import { runWait } from "../../src/cli/wait.js";
import { MemoryEngine } from "../../src/engine/memory.js";
import { GpuvmError } from "../../src/errors.js";
import type { Gpu } from "../../src/model/lab.js";
import { exampleLab } from "../support/labs.js";

const lab = exampleLab("homelab");

function engineWith(running?: string): MemoryEngine {
  const engine = new MemoryEngine(lab);
  if (running) engine.set(running, { asked: "run", instance: true });
  return engine;
}

describe("start on any engine", () => {
  it("runs the default mode, taking its claims before setting it to run", async () => {
    const engine = engineWith();
    await runStart(engine, lab, "gaming", {});
    expect(engine.writes).toEqual(["take gaming-live", "Always gaming-live"]);
  });

  it("a VirtualMachine name picks its mode", async () => {
    const engine = engineWith();
    await runStart(engine, lab, "gaming-maintenance", {});
    expect(engine.writes).toEqual(["take gaming-maintenance", "Always gaming-maintenance"]);
  });

  it("is refused while the other mode runs, with the switch to use instead", async () => {
    const engine = engineWith("gaming-maintenance");
    await expect(runStart(engine, lab, "gaming", {})).rejects.toThrow(
      "gaming-maintenance is running; stop it first or use: gpuvm switch gaming --to live",
    );
    expect(engine.writes).toEqual([]);
  });

  it("is refused while another lab's VM holds the GPU, and writes nothing", async () => {
    const engine = engineWith();
    const gpu = lab.vms[0]?.modes[0]?.gpus[0] as Gpu;
    engine.claimGpu(gpu, "other-lab/desktop-live");
    await expect(runStart(engine, lab, "gaming", {})).rejects.toThrow(/is held by other-lab\/desktop-live/);
    expect(engine.writes).toEqual([]);
  });

  it("an unknown VM is a usage error naming the lab's VMs", async () => {
    const error = await runStart(engineWith(), lab, "gamin", {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GpuvmError);
    expect((error as GpuvmError).exitCode).toBe(2);
    expect((error as Error).message).toContain('has no VM "gamin" (VMs: gaming, gaming-compat)');
  });
});

describe("restart, switch, stop and wait pick their mode by one rule", () => {
  it("restart restarts the mode that runs, not the default", async () => {
    const engine = engineWith("gaming-maintenance");
    await runRestart(engine, lab, "gaming", {});
    expect(engine.writes).toEqual([
      "Halted gaming-maintenance",
      "release gaming-maintenance",
      "take gaming-maintenance",
      "Always gaming-maintenance",
    ]);
  });

  it("switch goes to the mode that does not run, stopping the other first", async () => {
    const engine = engineWith("gaming-live");
    await runSwitch(engine, lab, "gaming", {});
    expect(engine.writes).toEqual([
      "Halted gaming-live",
      "release gaming-live",
      "take gaming-maintenance",
      "Always gaming-maintenance",
    ]);
  });

  it("switch with neither mode running asks for --to (exit 2) and writes nothing", async () => {
    const engine = engineWith();
    const error = await runSwitch(engine, lab, "gaming", {}).catch((caught: unknown) => caught);
    expect((error as GpuvmError).exitCode).toBe(2);
    expect((error as GpuvmError).hint).toContain("gpuvm switch gaming --to live|maintenance");
    expect(engine.writes).toEqual([]);
  });

  it("stop of a VirtualMachine name stops that mode only", async () => {
    const engine = engineWith("gaming-live");
    await runStop(engine, lab, "gaming-maintenance", { wait: true });
    expect(engine.writes).toEqual(["release gaming-live", "release gaming-maintenance"]);
    expect((await engine.read(lab.vms[0] as never)).find((view) => view.name === "live")?.active).toBe(true);
  });

  it("wait --for running waits on the mode set to run and prints it", async () => {
    const engine = engineWith("gaming-maintenance");
    let out = "";
    await runWait(engine, lab, { out: (text) => (out += text) }, "gaming", { for: "running" });
    expect(out).toBe("gaming-maintenance running\n");
  });

  it("wait --for stopped waits on every mode", async () => {
    const engine = engineWith("gaming-live");
    engine.hold("gaming-live");
    await runStop(engine, lab, "gaming", { wait: false });
    await expect(
      runWait(engine, lab, { out: () => undefined }, "gaming", { for: "stopped" }),
    ).rejects.toThrow(/gaming-live is not stopped/);
    engine.release("gaming-live");
    let out = "";
    await runWait(engine, lab, { out: (text) => (out += text) }, "gaming", { for: "stopped" });
    expect(out).toBe("gaming stopped\n");
  });
});

describe("engine operations a dashboard uses", () => {
  it("watch yields the state at once and after each change, and ends on abort", async () => {
    const engine = engineWith();
    const abort = new AbortController();
    const seen: string[] = [];
    const vm = lab.vms[0] as (typeof lab.vms)[number];
    const watching = (async () => {
      for await (const states of engine.watch([vm], abort.signal)) {
        seen.push(states[0]?.modes.map((mode) => `${mode.name}:${mode.phase}`).join(",") ?? "");
        if (seen.length === 1) await runStart(engine, lab, "gaming", {});
        if (seen.length === 2) abort.abort();
      }
    })();
    await watching;
    expect(seen).toEqual(["live:Stopped,maintenance:Stopped", "live:Running,maintenance:Stopped"]);
  });

  it("an aborted operation writes nothing", async () => {
    const engine = engineWith();
    const abort = new AbortController();
    abort.abort();
    const vm = lab.vms[0] as (typeof lab.vms)[number];
    await expect(
      engine.start(vm, vm.modes[0] as never, { wait: false, signal: abort.signal }),
    ).rejects.toThrow();
    expect(engine.writes).toEqual([]);
  });
});
