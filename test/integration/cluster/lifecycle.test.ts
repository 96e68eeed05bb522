// start / stop / switch / restart / status / wait against the real API server, with the simulator
// playing KubeVirt: the modes of one VM never run together, a GPU has one holder, and a VM that cannot
// start says why in KubeVirt's words.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addSharedEntries, applyPlan } from "../../../src/cluster/apply.js";
import { clusterObjects } from "../../../src/cluster/objects.js";
import { makePlan } from "../../../src/cluster/plan.js";
import { loadModel } from "../../../src/model/index.js";
import type { Simulator } from "../../test-cluster/sim/index.js";
import {
  adminClient,
  freshLab,
  gpuvm,
  KUBEVIRT_REF,
  readGpuLease,
  sharedCluster,
  simulate,
} from "./support.js";

const cluster = sharedCluster();
const client = adminClient(cluster);
const lab = freshLab("life");
let sim: Simulator;

const run = (...args: string[]) => gpuvm(cluster, "admin", ...args, "-f", lab.path);

interface Row {
  vm: string;
  mode: string;
  object: string;
  phase: string;
  node: string;
  ip: string;
  gpu: string;
}

async function rows(vm?: string): Promise<Row[]> {
  const result = await run("status", ...(vm ? [vm] : []), "-o", "json");
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Row[];
}

/** The mode of `vm` that runs ("none" when none), checked against the cluster's VMIs. */
async function running(vm: string): Promise<string> {
  const active = (await rows(vm)).filter((row) => row.mode !== "-");
  expect(active.length).toBeLessThanOrEqual(1);
  const [row] = active;
  if (!row) return "none";
  expect(row.phase).toBe("Running");
  const other = row.mode === "live" ? "maintenance" : "live";
  const vmi = await client.get({
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    namespace: lab.namespace,
    name: `${vm}-${other}`,
  });
  expect(vmi).toBeUndefined();
  return row.mode;
}

async function reset(): Promise<void> {
  for (const vm of ["gaming", "gaming-compat"]) {
    const stopped = await run("stop", vm);
    expect(stopped.code, stopped.stderr).toBe(0);
  }
}

beforeAll(async () => {
  const applied = await gpuvm(cluster, "admin", "apply", "-f", lab.path);
  expect(applied.code, applied.stderr).toBe(0);
  sim = await simulate(cluster, lab.namespace);
});

afterAll(async () => {
  await sim?.close();
});

describe("the modes of one VM", () => {
  type State = "none" | "live" | "maintenance";
  type Case = { from: State; args: string[]; code: number; to: State; says: string };
  const cases: Case[] = [
    { from: "none", args: ["start", "gaming", "--wait"], code: 0, to: "live", says: "gaming-live: Running" },
    {
      from: "none",
      args: ["start", "gaming", "--mode", "maintenance", "--wait"],
      code: 0,
      to: "maintenance",
      says: "gaming-maintenance: Running",
    },
    { from: "none", args: ["stop", "gaming"], code: 0, to: "none", says: "gaming: not running" },
    {
      from: "none",
      args: ["switch", "gaming", "--to", "live", "--wait"],
      code: 0,
      to: "live",
      says: "gaming-live: Running",
    },
    {
      from: "none",
      args: ["switch", "gaming", "--to", "maintenance", "--wait"],
      code: 0,
      to: "maintenance",
      says: "gaming-maintenance: Running",
    },
    {
      from: "live",
      args: ["start", "gaming", "--wait"],
      code: 0,
      to: "live",
      says: "gaming-live: already set to run",
    },
    {
      from: "live",
      args: ["start", "gaming", "--mode", "maintenance"],
      code: 1,
      to: "live",
      says: "gaming-live is running; stop it first or use: gpuvm switch gaming --to maintenance",
    },
    { from: "live", args: ["stop", "gaming"], code: 0, to: "none", says: "gaming-live: stopped" },
    {
      from: "live",
      args: ["switch", "gaming", "--to", "live", "--wait"],
      code: 0,
      to: "live",
      says: "gaming-live: already set to run",
    },
    {
      from: "live",
      args: ["switch", "gaming", "--to", "maintenance", "--wait"],
      code: 0,
      to: "maintenance",
      says: "gaming-live: stopped",
    },
    {
      from: "maintenance",
      args: ["start", "gaming", "--wait"],
      code: 1,
      to: "maintenance",
      says: "gaming-maintenance is running; stop it first or use: gpuvm switch gaming --to live",
    },
    {
      from: "maintenance",
      args: ["start", "gaming", "--mode", "maintenance", "--wait"],
      code: 0,
      to: "maintenance",
      says: "already set to run",
    },
    {
      from: "maintenance",
      args: ["stop", "gaming"],
      code: 0,
      to: "none",
      says: "gaming-maintenance: stopped",
    },
    {
      from: "maintenance",
      args: ["switch", "gaming", "--to", "live", "--wait"],
      code: 0,
      to: "live",
      says: "gaming-maintenance: stopped",
    },
    {
      from: "maintenance",
      args: ["switch", "gaming", "--to", "maintenance", "--wait"],
      code: 0,
      to: "maintenance",
      says: "already set to run",
    },
    // Without --to: the other mode of the one that runs; with none running gpuvm asks which.
    {
      from: "none",
      args: ["switch", "gaming", "--wait"],
      code: 2,
      to: "none",
      says: "switch gaming: neither of its modes runs, so there is no other mode to go to",
    },
    {
      from: "live",
      args: ["switch", "gaming", "--wait"],
      code: 0,
      to: "maintenance",
      says: "gaming-live: stopped",
    },
    {
      from: "maintenance",
      args: ["switch", "gaming", "--wait"],
      code: 0,
      to: "live",
      says: "gaming-maintenance: stopped",
    },
  ];

  it.each(cases)("$from, then gpuvm $args → $to", async ({ from, args, code, to, says }) => {
    await reset();
    if (from !== "none") {
      const started = await run("start", "gaming", "--mode", from, "--wait");
      expect(started.code, started.stderr).toBe(0);
    }
    expect(await running("gaming")).toBe(from);
    const result = await run(...args);
    expect(result.code, result.stderr).toBe(code);
    expect(result.stderr).toContain(says);
    expect(await running("gaming")).toBe(to);
  });

  it("maps ctl.sh start -c -m to start gaming-compat --mode maintenance", async () => {
    await reset();
    const result = await run("start", "gaming-compat", "--mode", "maintenance", "--wait");
    expect(result.code, result.stderr).toBe(0);
    expect(await running("gaming-compat")).toBe("maintenance");
  });
});

describe("apply and a running VM", () => {
  it("leaves a running VM running: whether it runs is start and stop's business", async () => {
    await reset();
    expect((await run("start", "gaming", "--wait")).code).toBe(0);
    const applied = await gpuvm(cluster, "admin", "apply", "-f", lab.path);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("virtualmachine.kubevirt.io/gaming-live unchanged");
    expect((await gpuvm(cluster, "admin", "plan", "-f", lab.path)).code).toBe(0);
    expect(await running("gaming")).toBe("live");
  });
});

describe("the GPU", () => {
  it("is held by one running VM; a start that needs it names the holder", async () => {
    await reset();
    expect((await run("start", "gaming", "--wait")).code).toBe(0);
    const refused = await run("start", "gaming-compat");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `gpuvm: GPU rtx3080 on tower1 is held by ${lab.namespace}/gaming-live; stop it first: gpuvm stop gaming\n`,
    );
    const lease = await readGpuLease(client, await loadModel(lab.path));
    expect(lease?.spec.holderIdentity).toBe(`${lab.namespace}/gaming-live`);
    // A mode without the GPU may run beside it.
    expect((await run("start", "gaming-compat", "--mode", "maintenance", "--wait")).code).toBe(0);

    const status = await rows();
    const live = status.find((row) => row.object === "gaming-live");
    expect(live).toMatchObject({
      vm: "gaming",
      mode: "live",
      phase: "Running",
      node: "sim-node-1",
      gpu: "rtx3080",
    });
    expect(live?.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const table = await run("status");
    expect(table.stdout.split("\n")[0]).toMatch(/^VM\s+MODE\s+PHASE\s+NODE\s+IP\s+GPU\s+SINCE$/);
    expect(table.stdout).toMatch(/gaming\s+live\s+Running\s+sim-node-1\s+\S+\s+rtx3080\s+\d+s/);

    // Stopping releases the GPU: the other VM's live mode may now have it.
    expect((await run("stop", "gaming")).code).toBe(0);
    expect((await run("switch", "gaming-compat", "--to", "live", "--wait")).code).toBe(0);
    expect(await running("gaming-compat")).toBe("live");
    expect((await run("wait", "gaming", "--for", "stopped")).stdout).toBe("gaming stopped\n");
  });
});

describe("a VM that cannot start", () => {
  it("says why in KubeVirt's words and what to do, then starts once the device is permitted", async () => {
    const stuck = freshLab("stuck", { gpuResource: `nvidia.com/unpermitted-${process.pid}-${Date.now()}` });
    const model = await loadModel(stuck.path);
    // The cluster's admin owns the KubeVirt CR and has not permitted this lab's GPU yet: apply the
    // lab's own objects without touching that CR, and make sure the CR has a permitted list at all.
    await client
      .apply({
        apiVersion: "kubevirt.io/v1",
        kind: "KubeVirt",
        metadata: { name: "kubevirt", namespace: "kubevirt" },
        spec: {},
      } as never)
      .catch(() => undefined);
    await addSharedEntries(client, KUBEVIRT_REF, {
      featureGates: [],
      pciHostDevices: [{ pciVendorSelector: "8086:1572", resourceName: "example.com/other-nic" }],
    });
    const plan = await makePlan(client, clusterObjects(model), {
      name: model.name,
      namespace: model.cluster.namespace,
    });
    await applyPlan(
      client,
      { entries: plan.entries.filter((entry) => entry.ref.kind !== "KubeVirt") },
      { prune: false, forceConflicts: false },
    );
    const stuckSim = await simulate(cluster, stuck.namespace);
    try {
      const result = await gpuvm(
        cluster,
        "admin",
        "start",
        "gaming",
        "-f",
        stuck.path,
        "--wait",
        "--timeout",
        "2s",
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("gaming-live: Pending");
      expect(result.stderr).toContain(
        `VirtualMachineInstance gaming-live: Synchronized=False (FailedCreate): failed to render launch manifest: HostDevice ${model.vms[0]?.modes[0]?.gpus[0]?.functions[0]?.resource} is not permitted in permittedHostDevices configuration`,
      );
      expect(result.stderr).toContain("gpuvm: gaming-live is not running after 2s (Pending)");
      expect(result.stderr).toContain(
        `what to do: the device is not in the KubeVirt CR's permittedHostDevices: run \`gpuvm apply -f ${stuck.path}\``,
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);

      // Following the advice: apply adds the entry, the simulator sees it and the VM comes up.
      const fixed = await gpuvm(cluster, "admin", "apply", "-f", stuck.path);
      expect(fixed.code, fixed.stderr).toBe(0);
      const waited = await gpuvm(
        cluster,
        "admin",
        "wait",
        "gaming",
        "-f",
        stuck.path,
        "--for",
        "running",
        "--timeout",
        "30s",
      );
      expect(waited.code, waited.stderr).toBe(0);
      expect(waited.stdout).toBe("gaming-live running\n");
    } finally {
      await stuckSim.close();
    }
  });
});
