// Switch benchmark: how much time gpuvm adds to a maintenance -> live switch beyond the transitions
// themselves. A real kube-apiserver (the test cluster) with the KubeVirt simulator, whose delays are
// known: stopping the old instance, then Pending -> Scheduling -> Scheduled -> Running of the new one.
// The same transitions are also driven bare (patch runStrategy, watch; no checks, no leases): what the
// simulator's reaction and the watches cost any client. gpuvm's switch minus the bare one is what gpuvm
// adds (mode and GPU checks, leases, progress). Target: under 100 ms.
// Run: npm run bench:switch
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { KubeClient, LIFECYCLE_MANAGER } from "../src/cluster/client.js";
import { type LifecycleContext, start, stop, switchMode } from "../src/cluster/lifecycle.js";
import type { VmiJson } from "../src/cluster/vm-state.js";
import { waitForObject } from "../src/cluster/watch.js";
import { loadModel } from "../src/model/index.js";
import { homelabText } from "../test/integration/cluster/labs.js";
import { runCli } from "../test/support/cli.js";
import { startCluster } from "../test/test-cluster/harness.js";
import { startSimulator } from "../test/test-cluster/sim/index.js";
import { median } from "./median.js";

const DELAY_MS = 200;
const ROUNDS = 7;
/** stopping + scheduling + scheduled + running */
const SIM_MS = 4 * DELAY_MS;

const cluster = await startCluster({ noAggregation: true });
try {
  const name = `bench-${process.pid}`;
  const path = join(mkdtempSync(join(tmpdir(), "gpuvm-bench-")), "lab.yaml");
  writeFileSync(path, homelabText({ name, namespace: name, suffix: name }));
  const applied = await runCli(
    "apply",
    "-f",
    path,
    "--kubeconfig",
    cluster.kubeconfigPath,
    "--context",
    "admin",
  );
  if (applied.code !== 0) throw new Error(applied.stderr);
  // A fresh server answers 429 while its caches fill; gpuvm's client waits that out, the simulator's
  // cluster-wide VMI list does not, so fill them first.
  const warm = new KubeClient(cluster.kubeConfig("admin"));
  await warm.list({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance" });
  await warm.list({ apiVersion: "kubevirt.io/v1", kind: "KubeVirt" });
  const sim = await startSimulator(cluster.kubeConfig("admin"), {
    namespace: name,
    delays: { scheduling: DELAY_MS, scheduled: DELAY_MS, running: DELAY_MS, stopping: DELAY_MS },
  });
  const lab = await loadModel(path);
  const ctx: LifecycleContext = {
    client: new KubeClient(cluster.kubeConfig("admin")),
    lab,
    report: () => {},
    timeoutMs: 60_000,
  };
  const vm = lab.vms.find((candidate) => candidate.name === "gaming");
  if (!vm) throw new Error("no VM gaming");
  const mode = (wanted: string) =>
    vm.modes.find((candidate) => candidate.name === wanted) as (typeof vm.modes)[number];

  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await stop(ctx, vm, { wait: true });
    await start(ctx, vm, mode("maintenance"), { wait: true });
    const began = performance.now();
    await switchMode(ctx, vm, mode("live"), { wait: true });
    times.push(performance.now() - began);
  }
  // The same transitions with the fewest requests that can observe them (patch, then watch until the
  // instance is gone / running): what any client pays for the simulator's reaction and the watches.
  const bare: number[] = [];
  const vmRef = (object: string) => ({
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    namespace: name,
    name: object,
  });
  const vmiRef = (object: string) => ({
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    namespace: name,
    name: object,
  });
  for (let round = 0; round < ROUNDS; round++) {
    await stop(ctx, vm, { wait: true });
    await start(ctx, vm, mode("maintenance"), { wait: true });
    const began = performance.now();
    await ctx.client.mergePatch(
      vmRef("gaming-maintenance"),
      { spec: { runStrategy: "Halted" } },
      { fieldManager: LIFECYCLE_MANAGER },
    );
    await waitForObject({
      client: ctx.client,
      ref: vmiRef("gaming-maintenance"),
      done: (obj) => obj === undefined,
      timeoutMs: 60_000,
    });
    await ctx.client.mergePatch(
      vmRef("gaming-live"),
      { spec: { runStrategy: "Always" } },
      { fieldManager: LIFECYCLE_MANAGER },
    );
    await waitForObject<VmiJson>({
      client: ctx.client,
      ref: vmiRef("gaming-live"),
      done: (obj) => obj?.status?.phase === "Running",
      timeoutMs: 60_000,
    });
    bare.push(performance.now() - began);
    // Hand the leases back to the state gpuvm expects (the bare switch took none).
    await stop(ctx, vm, { wait: true });
  }
  await sim.close();

  const total = median(times);
  const baseline = median(bare);
  const added = total - baseline;
  console.log(`maintenance -> live switch, ${ROUNDS} rounds (median): ${total.toFixed(0)} ms`);
  console.log(`simulator transitions: ${SIM_MS} ms (stop ${DELAY_MS} + 3 start phases of ${DELAY_MS})`);
  console.log(`bare switch (patch + watch, no checks, no leases): ${baseline.toFixed(0)} ms`);
  console.log(`added by gpuvm over the bare switch: ${added.toFixed(0)} ms (target < 100 ms)`);
  console.log(`ratio gpuvm switch / bare switch: ${(total / baseline).toFixed(3)}`);
  console.log(`ratio gpuvm switch / simulator transitions: ${(total / SIM_MS).toFixed(3)}`);
  console.log(`rounds (ms): ${times.map((time) => time.toFixed(0)).join(", ")}`);
} finally {
  await cluster.stop();
}
