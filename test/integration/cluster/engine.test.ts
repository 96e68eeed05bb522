// The KubeVirt engine as a dashboard uses it: watch() shows a mode that starts or stops within half a
// second of the cluster saying so, stops when its signal aborts, and a cancelled operation writes
// nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VmState } from "../../../src/engine/engine.js";
import { KubeVirtEngine } from "../../../src/engine/kubevirt.js";
import { loadModel } from "../../../src/model/index.js";
import type { Lab, Mode, Vm } from "../../../src/model/lab.js";
import type { Simulator } from "../../test-cluster/sim/index.js";
import { adminClient, freshLab, gpuvm, sharedCluster, simulate } from "./support.js";

const cluster = sharedCluster();
const client = adminClient(cluster);
const file = freshLab("engine");
let sim: Simulator;
let lab: Lab;
let vm: Vm;
let live: Mode;
let engine: KubeVirtEngine;

beforeAll(async () => {
  const applied = await gpuvm(cluster, "admin", "apply", "-f", file.path);
  expect(applied.code, applied.stderr).toBe(0);
  sim = await simulate(cluster, file.namespace);
  lab = await loadModel(file.path);
  vm = lab.vms.find((candidate) => candidate.name === "gaming") as Vm;
  live = vm.modes.find((mode) => mode.name === "live") as Mode;
  engine = new KubeVirtEngine({ client, namespace: lab.cluster.namespace, lab, timeoutMs: 30_000 });
});

afterAll(async () => {
  await sim?.close();
});

/** Collects what watch() yields, with the time each state arrived. */
function watching(signal: AbortSignal) {
  const seen: { at: number; states: VmState[] }[] = [];
  const done = (async () => {
    for await (const states of engine.watch([vm], signal)) seen.push({ at: performance.now(), states });
  })();
  const phaseOfLive = (entry: { states: VmState[] }) =>
    entry.states[0]?.modes.find((mode) => mode.name === "live")?.phase;
  return { seen, done, phaseOfLive };
}

describe("KubeVirtEngine", () => {
  it("watch sees the start and the stop within 0.5 s and ends on abort", async () => {
    const abort = new AbortController();
    const watch = watching(abort.signal);
    await engine.start(vm, live, { wait: true });
    const running = performance.now();
    await expect.poll(() => watch.seen.some((entry) => watch.phaseOfLive(entry) === "Running")).toBe(true);
    const shown = watch.seen.find((entry) => watch.phaseOfLive(entry) === "Running");
    expect((shown?.at ?? Number.POSITIVE_INFINITY) - running).toBeLessThan(500);

    await engine.stop(vm, { wait: true });
    const stopped = performance.now();
    await expect.poll(() => watch.phaseOfLive(watch.seen.at(-1) ?? { states: [] })).not.toBe("Running");
    expect((watch.seen.at(-1)?.at ?? Number.POSITIVE_INFINITY) - stopped).toBeLessThan(500);

    abort.abort();
    await watch.done;
    const count = watch.seen.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(watch.seen.length).toBe(count);
  });

  it("a cancelled start writes nothing: the VM stays halted and no lease is taken", async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(engine.start(vm, live, { wait: false, signal: abort.signal })).rejects.toThrow();
    const [view] = await engine.read(vm);
    expect(view?.asked).toBe("halt");
    expect(await engine.gpuHolder(live.gpus[0] as never)).toBeUndefined();
  });

  it("a cancelled wait ends at once, not at its timeout", async () => {
    const abort = new AbortController();
    const started = performance.now();
    setTimeout(() => abort.abort(), 200);
    // live is halted: without the cancel this wait would last its 30 s.
    await expect(engine.waitFor(vm, live, "running", { signal: abort.signal })).rejects.toThrow(/abort/i);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
