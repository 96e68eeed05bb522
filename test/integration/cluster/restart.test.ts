// A wait that outlives the API server: kube-apiserver restarts while gpuvm waits for a VM to run; the
// watch drops, gpuvm lists and watches again, and the wait completes. A cluster of its own, since the
// restart would disturb every other test file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeClient } from "../../../src/cluster/client.js";
import { runCli } from "../../support/cli.js";
import { type Cluster, startCluster } from "../../test-cluster/harness.js";
import { type Simulator, startSimulator } from "../../test-cluster/sim/index.js";
import { freshLab } from "./support.js";

let cluster: Cluster;
let sim: Simulator | undefined;

beforeAll(async () => {
  cluster = await startCluster({ noAggregation: true });
}, 180_000);

afterAll(async () => {
  await sim?.close();
  await cluster?.stop();
}, 60_000);

describe("the API server restarts mid-wait", () => {
  it("resumes the watch and completes", async () => {
    const lab = freshLab("restart");
    const gpuvm = (...args: string[]) =>
      runCli(...args, "-f", lab.path, "--kubeconfig", cluster.kubeconfigPath, "--context", "admin");
    const applied = await gpuvm("apply");
    expect(applied.code, applied.stderr).toBe(0);
    // Slow enough that the restart lands between Scheduled and Running.
    sim = await startSimulator(cluster.kubeConfig("admin"), {
      namespace: lab.namespace,
      delays: { scheduling: 100, scheduled: 100, running: 8_000 },
    });
    const waiting = gpuvm("start", "gaming", "--wait", "--timeout", "90s");

    const client = new KubeClient(cluster.kubeConfig("admin"));
    const vmi = {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstance",
      namespace: lab.namespace,
      name: "gaming-live",
    };
    for (let tries = 0; tries < 200; tries++) {
      const phase = (await client.get<{ status?: { phase?: string } }>(vmi))?.status?.phase;
      if (phase === "Scheduled") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await cluster.restartApiServer();

    const result = await waiting;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("gaming-live: Scheduled");
    expect(result.stderr).toContain("(watch interrupted:");
    expect(result.stderr.trim().split("\n").at(-1)).toBe("gaming-live: Running");
  }, 120_000);
});
