/**
 * Tests of the integration harness itself, against the real kube-apiserver the
 * global setup started: strict field validation from the CRD schemas, RBAC,
 * server-side apply conflicts, optimistic concurrency, watches, the simulator,
 * and a clean teardown.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { join } from "node:path";
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  PatchStrategy,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { WebSocket } from "ws";
import { requirePrerequisite } from "../support/prerequisites.js";
import { tempDir } from "../support/temp.js";
import {
  apiError,
  connectCluster,
  keepWatching,
  rawRequest,
  startCluster,
  strictObjectApi,
  testNamespace,
} from "../test-cluster/harness.js";
import { serveAggregatedApis } from "../test-cluster/sim/aggregated.js";
import {
  notPermittedMessage,
  RENDER_ERROR_PREFIX,
  type Simulator,
  startSimulator,
} from "../test-cluster/sim/index.js";

const cluster = connectCluster(inject("gpuvmCluster"));
const admin = cluster.kubeConfig("admin");
const objects = strictObjectApi(admin);
const custom = admin.makeApiClient(CustomObjectsApi);
const core = admin.makeApiClient(CoreV1Api);

type Vm = KubernetesObject & {
  spec: any;
  status?: any;
};

function vm(namespace: string, name: string, runStrategy: string, devices: Record<string, unknown> = {}): Vm {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name, namespace },
    spec: {
      runStrategy,
      template: {
        metadata: { labels: { "gpuvm.io/vm": name } },
        spec: {
          domain: {
            cpu: { cores: 2 },
            memory: { guest: "2Gi" },
            devices: {
              interfaces: [{ name: "lan", bridge: {}, macAddress: "8a:d3:14:ca:21:70" }],
              ...devices,
            },
          },
          networks: [{ name: "lan", multus: { networkName: "lan" } }],
        },
      },
    },
  };
}

function namespace(prefix: string): Promise<string> {
  return testNamespace(admin, prefix);
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a user's edit of the VM does (a merge patch of spec.runStrategy). */
async function setRunStrategy(ns: string, name: string, runStrategy: string): Promise<void> {
  await objects.patch(
    {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name, namespace: ns },
      spec: { runStrategy },
    } as Vm,
    undefined,
    undefined,
    "test",
    undefined,
    PatchStrategy.MergePatch,
  );
}

async function getVm(ns: string, name: string): Promise<Vm> {
  return (await custom.getNamespacedCustomObject({
    group: "kubevirt.io",
    version: "v1",
    plural: "virtualmachines",
    namespace: ns,
    name,
  })) as Vm;
}

async function getVmi(ns: string, name: string): Promise<Vm | undefined> {
  try {
    return (await custom.getNamespacedCustomObject({
      group: "kubevirt.io",
      version: "v1",
      plural: "virtualmachineinstances",
      namespace: ns,
      name,
    })) as Vm;
  } catch (e) {
    if (apiError(e).code === 404) return undefined;
    throw e;
  }
}

describe("strict field validation against the CRD schemas", () => {
  it("rejects a VirtualMachine with an unknown field, with the server's message", async () => {
    const ns = await namespace("strict");
    const bad = vm(ns, "bad", "Halted");
    bad.spec.template.spec.domain.devices.gpus = [
      { name: "gpu1", deviceName: "nvidia.com/rtx3080", vendor: "x" },
    ];
    bad.spec.startMe = true;
    bad.spec.template.spec.domain.devices.interfaces[0].bridge = { vlan: 5 };
    const err = await objects.create(bad).then(
      () => undefined,
      (e: unknown) => apiError(e),
    );
    expect(err?.code).toBe(400);
    expect(err?.message).toContain("strict decoding error");
    expect(err?.message).toContain('unknown field "spec.startMe"');
    expect(err?.message).toContain('unknown field "spec.template.spec.domain.devices.gpus[0].vendor"');
    expect(err?.message).toContain(
      'unknown field "spec.template.spec.domain.devices.interfaces[0].bridge.vlan"',
    );
  });

  it("accepts the same VirtualMachine without the unknown fields and keeps every field", async () => {
    const ns = await namespace("strict");
    const good = vm(ns, "good", "Halted", { gpus: [{ name: "gpu1", deviceName: "nvidia.com/rtx3080" }] });
    good.spec.template.spec.domain.resources = { requests: { memory: "2Gi", cpu: 2 } };
    const created = (await objects.create(good)) as Vm;
    expect(created.spec.template.spec.domain.devices.gpus).toEqual([
      { name: "gpu1", deviceName: "nvidia.com/rtx3080" },
    ]);
    expect(created.spec.template.spec.domain.resources.requests).toEqual({ memory: "2Gi", cpu: 2 });
    expect(created.spec.template.metadata.labels).toEqual({ "gpuvm.io/vm": "good" });
  });

  it("rejects a value of the wrong type (schema validation, 422)", async () => {
    const ns = await namespace("strict");
    const bad = vm(ns, "typed", "Halted");
    bad.spec.template.spec.domain.cpu.cores = "two";
    const err = await objects.create(bad).then(
      () => undefined,
      (e: unknown) => apiError(e),
    );
    expect(err?.code).toBe(422);
    expect(err?.message).toContain("spec.template.spec.domain.cpu.cores");
  });

  it("validates DataVolumes and PCIDeviceClaims from their upstream schemas too", async () => {
    const ns = await namespace("strict");
    const dvErr = await objects
      .create({
        apiVersion: "cdi.kubevirt.io/v1beta1",
        kind: "DataVolume",
        metadata: { name: "iso", namespace: ns },
        spec: {
          source: { upload: {} },
          storage: { resources: { requests: { storage: "6Gi" } } },
          sizeHint: 1,
        },
      } as KubernetesObject)
      .then(
        () => undefined,
        (e: unknown) => apiError(e),
      );
    expect(dvErr?.code).toBe(400);
    expect(dvErr?.message).toContain('unknown field "spec.sizeHint"');
    const claimErr = await objects
      .create({
        apiVersion: "devices.harvesterhci.io/v1beta1",
        kind: "PCIDeviceClaim",
        metadata: { name: "tower1-000009000" },
        spec: { address: "0000:09:00.0", nodeName: "tower1", userName: "admin", iommu: 12 },
      } as KubernetesObject)
      .then(
        () => undefined,
        (e: unknown) => apiError(e),
      );
    expect(claimErr?.code).toBe(400);
    expect(claimErr?.message).toContain('unknown field "spec.iommu"');
  });
});

describe("RBAC", () => {
  const limited = cluster.kubeConfig("limited");

  it("denies the limited user outside its namespace with the server's 403 message", async () => {
    const limitedCore = limited.makeApiClient(CoreV1Api);
    const err = await limitedCore.listNamespacedConfigMap({ namespace: "default" }).then(
      () => undefined,
      (e: unknown) => apiError(e),
    );
    expect(err?.code).toBe(403);
    expect(err?.message).toBe(
      'configmaps is forbidden: User "limited" cannot list resource "configmaps" in API group "" in the namespace "default"',
    );
  });

  it("lets the limited user list but not create VirtualMachines in its namespace", async () => {
    const ns = cluster.limitedNamespace;
    const limitedCustom = limited.makeApiClient(CustomObjectsApi);
    const list = (await limitedCustom.listNamespacedCustomObject({
      group: "kubevirt.io",
      version: "v1",
      plural: "virtualmachines",
      namespace: ns,
    })) as { items: unknown[] };
    expect(Array.isArray(list.items)).toBe(true);
    const err = await strictObjectApi(limited)
      .create(vm(ns, "nope", "Halted"))
      .then(
        () => undefined,
        (e: unknown) => apiError(e),
      );
    expect(err?.code).toBe(403);
    expect(err?.message).toContain(
      'virtualmachines.kubevirt.io is forbidden: User "limited" cannot create resource "virtualmachines" in API group "kubevirt.io"',
    );
  });
});

describe("server-side apply and optimistic concurrency", () => {
  it("reports a conflict when a second field manager changes an owned field", async () => {
    const ns = await namespace("ssa");
    const first = vm(ns, "ssa", "Halted");
    await objects.patch(first, undefined, undefined, "gpuvm", false, PatchStrategy.ServerSideApply);

    const second = vm(ns, "ssa", "Always");
    const err = await objects
      .patch(second, undefined, undefined, "kubectl-edit", false, PatchStrategy.ServerSideApply)
      .then(
        () => undefined,
        (e: unknown) => apiError(e),
      );
    expect(err?.code).toBe(409);
    expect(err?.message).toContain('conflict with "gpuvm"');
    expect(err?.message).toContain(".spec.runStrategy");

    const forced = (await objects.patch(
      second,
      undefined,
      undefined,
      "kubectl-edit",
      true,
      PatchStrategy.ServerSideApply,
    )) as Vm;
    expect(forced.spec.runStrategy).toBe("Always");
    const managers = (forced.metadata?.managedFields ?? []).map((m) => m.manager);
    expect(managers).toContain("kubectl-edit");
  });

  it("rejects an update with a stale resourceVersion", async () => {
    const ns = await namespace("occ");
    const created = (await objects.create(vm(ns, "occ", "Halted"))) as Vm;
    const a = structuredClone(created);
    const b = structuredClone(created);
    a.spec.runStrategy = "Always";
    await objects.replace(a);
    b.spec.runStrategy = "Manual";
    const err = await objects.replace(b).then(
      () => undefined,
      (e: unknown) => apiError(e),
    );
    expect(err?.code).toBe(409);
    expect(err?.message).toContain(
      "the object has been modified; please apply your changes to the latest version",
    );
  });

  it("passes raw CRD-style objects through rawRequest unchanged", async () => {
    const r = await rawRequest(
      admin,
      "GET",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/virtualmachines.kubevirt.io",
    );
    expect(r.status).toBe(200);
    const crd = r.body as {
      spec: { versions: { schema: { openAPIV3Schema: { properties: Record<string, unknown> } } }[] };
    };
    expect(JSON.stringify(crd.spec.versions[0]?.schema.openAPIV3Schema.properties.spec)).toContain(
      '"x-kubernetes-int-or-string":true',
    );
  });
});

describe("simulator", () => {
  let ns: string;
  let sim: Simulator;
  beforeAll(async () => {
    ns = await namespace("sim");
    sim = await startSimulator(admin, {
      namespace: ns,
      delays: { scheduling: 100, scheduled: 100, running: 100 },
    });
  });
  afterAll(async () => {
    await sim.close();
    expect(sim.errors.map((e) => e.message)).toEqual([]);
  });

  it("a watch sees the VMI appear and run after runStrategy changes to Always, and go away on Halted", async () => {
    await objects.create(vm(ns, "web", "Halted"));
    await waitFor("VM Stopped", async () => (await getVm(ns, "web")).status?.printableStatus === "Stopped");

    const events: { type: string; phase?: string; owner?: string }[] = [];
    const printable: string[] = [];
    const vmiWatch = await keepWatching<Vm>(
      admin,
      `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`,
      {},
      (type, obj) =>
        events.push({ type, phase: obj.status?.phase, owner: obj.metadata?.ownerReferences?.[0]?.name }),
    );
    const vmWatch = await keepWatching<Vm>(
      admin,
      `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`,
      { fieldSelector: "metadata.name=web" },
      (_type, obj) => {
        const s = obj.status?.printableStatus;
        if (s && printable.at(-1) !== s) printable.push(s);
      },
    );
    try {
      await setRunStrategy(ns, "web", "Always");
      const vmi = await waitFor("VMI Running", async () => {
        const v = await getVmi(ns, "web");
        return v?.status?.phase === "Running" ? v : undefined;
      });
      await waitFor("VM Running", async () => (await getVm(ns, "web")).status?.printableStatus === "Running");
      await waitFor("watch saw Running", async () => events.some((e) => e.phase === "Running"));
      expect(events[0]).toEqual({ type: "ADDED", phase: "Pending", owner: "web" });
      expect(events.map((e) => e.phase)).toEqual(
        expect.arrayContaining(["Pending", "Scheduling", "Scheduled", "Running"]),
      );
      expect(vmi.metadata?.labels).toMatchObject({
        "gpuvm.io/vm": "web",
        "kubevirt.io/nodeName": "sim-node-1",
      });
      expect(vmi.status.nodeName).toBe("sim-node-1");
      expect(vmi.status.interfaces[0]).toMatchObject({ name: "lan", mac: "8a:d3:14:ca:21:70" });
      expect(vmi.status.interfaces[0].ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

      await setRunStrategy(ns, "web", "Halted");
      await waitFor("VMI gone", async () => (await getVmi(ns, "web")) === undefined);
      await waitFor("VM Stopped", async () => (await getVm(ns, "web")).status?.printableStatus === "Stopped");
      await waitFor("DELETED event", async () => events.some((e) => e.type === "DELETED"));
      // The GET above can see the last write before the watch delivers it.
      await waitFor("watch saw the VM stopped again", async () => printable.length >= 5);
      expect(printable).toEqual(["Stopped", "Starting", "Running", "Stopping", "Stopped"]);
    } finally {
      vmiWatch.stop();
      vmWatch.stop();
    }
  });

  it("keeps a VMI Pending with KubeVirt's message when its GPU is not in permittedHostDevices", async () => {
    const kvNs = await namespace("kv");
    await objects.create({
      apiVersion: "kubevirt.io/v1",
      kind: "KubeVirt",
      metadata: { name: "kubevirt", namespace: kvNs },
      spec: {
        configuration: {
          developerConfiguration: { featureGates: ["GPU", "HostDevices"] },
          permittedHostDevices: {
            pciHostDevices: [{ pciVendorSelector: "10DE:2206", resourceName: "nvidia.com/rtx3080" }],
          },
        },
      },
    } as KubernetesObject);
    try {
      await objects.create(
        vm(ns, "gpu-ok", "Always", { gpus: [{ name: "g", deviceName: "nvidia.com/rtx3080" }] }),
      );
      await objects.create(
        vm(ns, "gpu-bad", "Always", {
          gpus: [{ name: "g", deviceName: "nvidia.com/rtx4090" }],
          hostDevices: [{ name: "audio", deviceName: "nvidia.com/rtx4090-audio" }],
        }),
      );
      await waitFor(
        "permitted GPU VMI Running",
        async () => (await getVmi(ns, "gpu-ok"))?.status?.phase === "Running",
      );
      const bad = await waitFor("condition on the VMI", async () => {
        const v = await getVmi(ns, "gpu-bad");
        return v?.status?.conditions?.length ? v : undefined;
      });
      expect(bad.status.phase).toBe("Pending");
      expect(bad.status.conditions).toEqual([
        {
          type: "Synchronized",
          status: "False",
          reason: "FailedCreate",
          message: `${RENDER_ERROR_PREFIX}${notPermittedMessage("GPU", "nvidia.com/rtx4090")} ${notPermittedMessage("HostDevice", "nvidia.com/rtx4090-audio")}`,
        },
      ]);
      expect(bad.status.conditions[0].message).toBe(
        "failed to render launch manifest: GPU nvidia.com/rtx4090 is not permitted in permittedHostDevices configuration HostDevice nvidia.com/rtx4090-audio is not permitted in permittedHostDevices configuration",
      );
      expect((await getVm(ns, "gpu-bad")).status?.printableStatus).toBe("Starting");
    } finally {
      await custom.deleteNamespacedCustomObject({
        group: "kubevirt.io",
        version: "v1",
        plural: "kubevirts",
        namespace: kvNs,
        name: "kubevirt",
      });
    }
  });

  it("gives an upload DataVolume its PVC and phases up to UploadReady, then Succeeded", async () => {
    const phases: string[] = [];
    const w = await keepWatching<Vm>(
      admin,
      `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes`,
      {},
      (_t, obj) => {
        const p = obj.status?.phase;
        if (p && phases.at(-1) !== p) phases.push(p);
      },
    );
    try {
      await objects.create({
        apiVersion: "cdi.kubevirt.io/v1beta1",
        kind: "DataVolume",
        metadata: { name: "win-iso", namespace: ns },
        spec: { source: { upload: {} }, storage: { resources: { requests: { storage: "6Gi" } } } },
      } as KubernetesObject);
      await waitFor("UploadReady", async () => phases.includes("UploadReady"));
      const pvc = await core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: "win-iso" });
      expect(pvc.spec?.resources?.requests?.storage).toBe("6Gi");
      expect(pvc.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "DataVolume", name: "win-iso" });
      expect(pvc.status?.phase).toBe("Bound");
      await sim.completeUpload(ns, "win-iso");
      await waitFor("Succeeded", async () => phases.includes("Succeeded"));
      expect(phases).toEqual(["Pending", "UploadScheduled", "UploadReady", "Succeeded"]);
    } finally {
      w.stop();
    }
  });

  it("imports an http DataVolume through ImportScheduled and ImportInProgress to Succeeded", async () => {
    const phases: string[] = [];
    const w = await keepWatching<Vm>(
      admin,
      `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes`,
      { fieldSelector: "metadata.name=disk" },
      (_t, obj) => {
        const p = obj.status?.phase;
        if (p && phases.at(-1) !== p) phases.push(p);
      },
    );
    try {
      await objects.create({
        apiVersion: "cdi.kubevirt.io/v1beta1",
        kind: "DataVolume",
        metadata: { name: "disk", namespace: ns },
        spec: {
          source: { http: { url: "http://images.example/disk.qcow2" } },
          pvc: {
            accessModes: ["ReadWriteMany"],
            resources: { requests: { storage: "64Gi" } },
            volumeMode: "Block",
          },
        },
      } as KubernetesObject);
      await waitFor("Succeeded", async () => phases.includes("Succeeded"));
      expect(phases).toEqual(["Pending", "ImportScheduled", "ImportInProgress", "Succeeded"]);
      const pvc = await core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: "disk" });
      expect(pvc.spec?.accessModes).toEqual(["ReadWriteMany"]);
      expect(pvc.spec?.volumeMode).toBe("Block");
    } finally {
      w.stop();
    }
  });

  it("leaves an upload DataVolume on WaitForFirstConsumer storage in WaitForFirstConsumer", async () => {
    const sc = `wffc-${process.pid}`;
    await objects.create({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: sc },
      provisioner: "driver.longhorn.io",
      volumeBindingMode: "WaitForFirstConsumer",
    } as KubernetesObject);
    await objects.create({
      apiVersion: "cdi.kubevirt.io/v1beta1",
      kind: "DataVolume",
      metadata: { name: "iso-wffc", namespace: ns },
      spec: {
        source: { upload: {} },
        storage: { storageClassName: sc, resources: { requests: { storage: "6Gi" } } },
      },
    } as KubernetesObject);
    await waitFor("WaitForFirstConsumer", async () => {
      const dv = (await custom.getNamespacedCustomObject({
        group: "cdi.kubevirt.io",
        version: "v1beta1",
        plural: "datavolumes",
        namespace: ns,
        name: "iso-wffc",
      })) as Vm;
      return dv.status?.phase === "WaitForFirstConsumer";
    });
    await new Promise((r) => setTimeout(r, 300));
    const pvc = await core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: "iso-wffc" });
    expect(pvc.status?.phase).not.toBe("Bound");
    await expect(sim.completeUpload(ns, "iso-wffc")).rejects.toThrow(
      "is WaitForFirstConsumer, not UploadReady",
    );
  });

  it("creates the DataVolumes of dataVolumeTemplates, owned by the VM, and restarts into a new VMI", async () => {
    const withDisk = vm(ns, "disky", "Always");
    withDisk.spec.dataVolumeTemplates = [
      {
        metadata: { name: "disky-system" },
        spec: { source: { blank: {} }, storage: { resources: { requests: { storage: "64Gi" } } } },
      },
    ];
    const created = (await objects.create(withDisk)) as Vm;
    const first = await waitFor("VMI Running", async () => {
      const v = await getVmi(ns, "disky");
      return v?.status?.phase === "Running" ? v : undefined;
    });
    const dv = (await custom.getNamespacedCustomObject({
      group: "cdi.kubevirt.io",
      version: "v1beta1",
      plural: "datavolumes",
      namespace: ns,
      name: "disky-system",
    })) as Vm;
    expect(dv.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: "VirtualMachine",
      uid: created.metadata?.uid,
    });
    await sim.restart(ns, "disky");
    const second = await waitFor("new VMI Running", async () => {
      const v = await getVmi(ns, "disky");
      return v?.status?.phase === "Running" && v.metadata?.uid !== first.metadata?.uid ? v : undefined;
    });
    expect(second.metadata?.uid).not.toBe(first.metadata?.uid);
    await waitFor("requests consumed", async () => !(await getVm(ns, "disky")).status?.stateChangeRequests);
  });

  it("start/stop requests on a Manual VM go through status.stateChangeRequests", async () => {
    await objects.create(vm(ns, "manual", "Manual"));
    await waitFor(
      "VM Stopped",
      async () => (await getVm(ns, "manual")).status?.printableStatus === "Stopped",
    );
    expect(await getVmi(ns, "manual")).toBeUndefined();
    await sim.start(ns, "manual");
    await waitFor("VMI Running", async () => (await getVmi(ns, "manual"))?.status?.phase === "Running");
    await expect(sim.start(ns, "manual")).rejects.toThrow("VM is already running");
    await sim.stop(ns, "manual");
    await waitFor(
      "VM Stopped",
      async () => (await getVm(ns, "manual")).status?.printableStatus === "Stopped",
    );
    expect(await getVmi(ns, "manual")).toBeUndefined();
    expect((await getVm(ns, "manual")).spec.runStrategy).toBe("Manual");
  });
});

describe("aggregated APIs (KubeVirt subresources, CDI upload) through the real aggregator", () => {
  const root = requirePrerequisite(
    "root (network namespace)",
    process.getuid?.() === 0,
    "test/test-cluster/up creates the network namespace and veth pair for aggregated APIs with ip netns; run the tests as root",
  );
  it.runIf(root)("has a network namespace and veth address when run as root", () => {
    expect(cluster.aggregation?.hostAddress).toMatch(/^10\.250\.\d+\.\d+$/);
  });

  it.runIf(root && cluster.aggregation !== null)(
    "start, console, and upload tokens go through APIServices",
    async () => {
      const ns = await namespace("agg");
      const sim = await startSimulator(admin, { namespace: ns });
      const agg = await serveAggregatedApis(admin, cluster, sim);
      try {
        await objects.create(vm(ns, "agg", "Halted"));
        const base = `/apis/subresources.kubevirt.io/v1/namespaces/${ns}`;
        const started = await rawRequest(admin, "PUT", `${base}/virtualmachines/agg/start`, {});
        expect({ status: started.status, text: started.text }).toEqual({ status: 202, text: "" });
        expect(agg.requests).toContain(`PUT ${base}/virtualmachines/agg/start`);
        await waitFor("VMI Running", async () => (await getVmi(ns, "agg"))?.status?.phase === "Running");
        expect((await getVm(ns, "agg")).spec.runStrategy).toBe("Always");

        const again = await rawRequest(admin, "PUT", `${base}/virtualmachines/agg/start`, {});
        expect(again.status).toBe(409);
        expect((again.body as { message: string }).message).toBe("VM is already running");

        const denied = await rawRequest(
          cluster.kubeConfig("limited"),
          "PUT",
          `${base}/virtualmachines/agg/stop`,
          {},
        );
        expect(denied.status).toBe(403);
        expect((denied.body as { message: string }).message).toBe(
          `virtualmachines.subresources.kubevirt.io "agg" is forbidden: User "limited" cannot update resource "virtualmachines/stop" in API group "subresources.kubevirt.io" in the namespace "${ns}"`,
        );

        const token = await rawRequest(
          admin,
          "POST",
          `/apis/upload.cdi.kubevirt.io/v1beta1/namespaces/${ns}/uploadtokenrequests`,
          {
            apiVersion: "upload.cdi.kubevirt.io/v1beta1",
            kind: "UploadTokenRequest",
            metadata: { name: "win-iso" },
            spec: { pvcName: "win-iso" },
          },
        );
        expect(token.status).toBe(201);
        expect((token.body as { status: { token: string } }).status.token).toBeTruthy();

        // Behind the console stands a unix socket, as a QEMU serial port does; this one echoes.
        const serial = join(tempDir("gpuvm-agg-serial-"), "serial.sock");
        const port = createNetServer((peer) => {
          peer.write(`serial port of ${ns}/agg\r\n`);
          peer.pipe(peer);
        });
        await new Promise<void>((res) => port.listen(serial, () => res()));
        agg.backends.set(`${ns}/agg`, { console: serial });
        const opts: { headers?: Record<string, string>; ca?: unknown } = {};
        await admin.applyToHTTPSOptions(opts as never);
        const ws = new WebSocket(
          `${cluster.server.replace("https", "wss")}${base}/virtualmachineinstances/agg/console`,
          ["plain.kubevirt.io"],
          opts as never,
        );
        const received: string[] = [];
        ws.on("message", (d) => received.push(d.toString()));
        await new Promise<void>((res, rej) => {
          ws.once("open", () => res());
          ws.once("error", rej);
        });
        expect(ws.protocol).toBe("plain.kubevirt.io");
        ws.send("hello");
        await waitFor("echo", async () => received.join("").includes("hello"));
        expect(received.join("")).toBe(`serial port of ${ns}/agg\r\nhello`);
        expect(agg.requests).toContain(`GET ${base}/virtualmachineinstances/agg/console (upgrade by admin)`);
        ws.close();
        port.close();

        const stopped = await rawRequest(admin, "PUT", `${base}/virtualmachines/agg/stop`, {});
        expect(stopped.status).toBe(202);
        await waitFor("VMI gone", async () => (await getVmi(ns, "agg")) === undefined);
      } finally {
        await agg.stop();
        await sim.close();
      }
      expect(sim.errors.map((e) => e.message)).toEqual([]);
    },
  );
});

describe("teardown", () => {
  it("stop() leaves no process, no network namespace and no temporary folder behind", async () => {
    const own = await startCluster();
    const pids = ["etcd", "kube-apiserver"].map((n) =>
      Number(readFileSync(`${own.dir}/${n}.pid`, "utf8").trim()),
    );
    const kc: KubeConfig = own.kubeConfig();
    const r = await rawRequest(kc, "GET", "/readyz");
    expect(r.status).toBe(200);
    for (const pid of pids) expect(isRunning(pid)).toBe(true);
    await own.stop();
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    expect(isRunning(own.upPid)).toBe(false);
    expect(existsSync(own.dir)).toBe(false);
    if (own.aggregation) {
      expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).not.toContain(
        own.aggregation.netns,
      );
    }
    await expect(rawRequest(kc, "GET", "/readyz")).rejects.toThrow(/ECONNREFUSED/);
  });
});

/** Alive and not a zombie. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] !== "Z";
  } catch {
    return false;
  }
}
