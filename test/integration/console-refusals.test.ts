/**
 * Why a console is refused, as KubeVirt's virt-api decides it (pkg/virt-api/rest/console.go,
 * validateVMIForConsole): on the VMI, through the real API server and its aggregator. A Running VMI is
 * never called "not running"; a VMI in another phase is refused with KubeVirt's 400, and gpuvm says so
 * itself before asking.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeClient } from "../../src/cluster/client.js";
import { openSubresource, SubresourceError } from "../../src/cluster/console/subresource.js";
import { runCli } from "../support/cli.js";
import { rawRequest } from "../test-cluster/harness.js";
import { type AggregatedApis, serveAggregatedApis } from "../test-cluster/sim/aggregated.js";
import { type Simulator, startSimulator } from "../test-cluster/sim/index.js";
import { sharedCluster, uniqueName } from "./cluster/support.js";
import { createNamespace, must } from "./iso-support.js";

const cluster = sharedCluster();
const admin = cluster.kubeConfig("admin");
const ns = uniqueName("console-refusals");
let sim: Simulator;
let apis: AggregatedApis;

const vmis = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`;

async function running(name: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const r = await rawRequest(admin, "GET", `${vmis}/${name}`);
    if (r.status === 200 && (r.body as { status?: { phase?: string } }).status?.phase === "Running") return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`VMI ${name} never ran`);
}

async function refusal(vmi: string): Promise<SubresourceError> {
  const error = await openSubresource({
    api: new KubeClient(admin),
    namespace: ns,
    vmi,
    kind: "console",
  }).then(
    (socket) => {
      socket.close();
      throw new Error("the console opened");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SubresourceError);
  return error as SubresourceError;
}

beforeAll(async () => {
  await createNamespace(admin, ns);
  sim = await startSimulator(admin, { namespace: ns });
  apis = await serveAggregatedApis(admin, cluster, sim);
  await must(admin, "POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name: "plain", namespace: ns, labels: { "gpuvm.io/vm": "plain" } },
    spec: { runStrategy: "Halted", template: { spec: { domain: { devices: {} } } } },
  });
});

afterAll(async () => {
  await apis?.stop();
  await sim?.close();
});

describe("console refusals", () => {
  it("a Running VMI is not called 'not running', even with no guest behind it", async () => {
    await sim.start(ns, "plain");
    await running("plain");
    const result = await runCli("console", "plain", "-n", ns, "--kubeconfig", cluster.kubeconfigPath);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `gpuvm: console of ${ns}/plain: HTTP 500 no console attached to the simulated VMI ${ns}/plain\n`,
    );
  });

  it("a VMI in another phase gets KubeVirt's 400, and one that does not exist 404", async () => {
    // Written as virt-controller writes it, without a VM: the simulator leaves it alone.
    await must(admin, "POST", vmis, {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstance",
      metadata: { name: "scheduled", namespace: ns },
      spec: { domain: { devices: {} } },
      status: { phase: "Scheduled" },
    });
    const scheduled = await refusal("scheduled");
    expect(scheduled.status).toBe(400);
    expect(scheduled.message).toBe(`console of ${ns}/scheduled: HTTP 400 VMI is not running`);
    const missing = await refusal("nobody");
    expect(missing.status).toBe(404);
    expect(missing.message).toContain('virtualmachineinstance.kubevirt.io "nobody" not found');
  });
});
