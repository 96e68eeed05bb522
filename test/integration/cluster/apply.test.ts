// plan / apply / prune against the real API server: dry-run plans, idempotent applies, the shared
// KubeVirt CR, conflicts, and volumes that prune never deletes.
import { describe, expect, it } from "vitest";
import { applyPlan } from "../../../src/cluster/apply.js";
import { KubeClient, type RequestRecord } from "../../../src/cluster/client.js";
import { clusterObjects } from "../../../src/cluster/objects.js";
import { makePlan } from "../../../src/cluster/plan.js";
import { labSelector, PRUNABLE } from "../../../src/cluster/prune.js";
import { loadModel } from "../../../src/model/index.js";
import {
  adminClient,
  freshLab,
  gpuvm,
  homelabText,
  KUBEVIRT_REF,
  type KubeObjectJson,
  sharedCluster,
  uniqueName,
  writeLab,
} from "./support.js";

const cluster = sharedCluster();
const client = adminClient(cluster);

/** resourceVersion of every object the lab owns, plus the namespace and the shared CRs. */
async function versions(lab: { name: string; namespace: string }): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const kind of PRUNABLE) {
    const list = await client.list(
      {
        apiVersion: kind.apiVersion,
        kind: kind.kind,
        ...(kind.namespaced ? { namespace: lab.namespace } : {}),
      },
      { labelSelector: labSelector(lab) },
    );
    for (const item of list.items)
      out[`${kind.kind}/${item.metadata.name}`] = item.metadata.resourceVersion ?? "";
  }
  const ns = await client.get({ apiVersion: "v1", kind: "Namespace", name: lab.namespace });
  out.namespace = ns?.metadata.resourceVersion ?? "";
  return out;
}

describe("plan and apply", () => {
  const lab = freshLab("apply");

  it("plans every object as a create before the first apply, and exits 3", async () => {
    const result = await gpuvm(cluster, "admin", "plan", "-f", lab.path);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(`create: Namespace ${lab.namespace}`);
    expect(result.stdout).toContain(`create: VirtualMachine ${lab.namespace}/gaming-live`);
    expect(result.stdout).toMatch(/create: PersistentVolumeClaim .*gaming-system/);
  });

  it("applies in dependency order, then a second apply changes nothing", async () => {
    const first = await gpuvm(cluster, "admin", "apply", "-f", lab.path);
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout.trim().split("\n");
    expect(lines[0]).toBe(`namespace/${lab.namespace} created`);
    const order = [
      "namespace/",
      "kubevirt.kubevirt.io/",
      "cdi.cdi.kubevirt.io/",
      "priorityclass.",
      "storageclass.",
      "networkattachmentdefinition.",
      "persistentvolumeclaim/",
      "virtualmachine.kubevirt.io/",
    ];
    const positions = order.map((prefix) => lines.findIndex((line) => line.startsWith(prefix)));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    const before = await versions(lab);
    const second = await gpuvm(cluster, "admin", "apply", "-f", lab.path);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toMatch(/created|configured/);
    expect(
      second.stdout
        .trim()
        .split("\n")
        .every((line) => line.endsWith(" unchanged")),
    ).toBe(true);
    expect(await versions(lab)).toEqual(before);
  });

  it("sends only dry runs and reads when nothing changed", async () => {
    const records: RequestRecord[] = [];
    const counting = new KubeClient(cluster.kubeConfig("admin"), {
      onRequest: (record) => records.push(record),
    });
    const model = await loadModel(lab.path);
    const plan = await makePlan(counting, clusterObjects(model), {
      name: model.name,
      namespace: model.cluster.namespace,
    });
    await applyPlan(counting, plan, { prune: false, forceConflicts: false });
    const writes = records.filter((record) => record.method !== "GET" && !record.dryRun);
    expect(writes).toEqual([]);
    expect(records.filter((record) => record.dryRun).length).toBeGreaterThan(10);
  });

  it("plans nothing after apply and exits 0", async () => {
    const result = await gpuvm(cluster, "admin", "plan", "-f", lab.path);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/0 to create, 0 to update, \d+ unchanged, 0 to prune/);
  });

  it("shows a field diff from the server's dry run when the lab changes", async () => {
    const changed = writeLab(homelabText({ ...lab.options, maintenanceMemory: "6Gi" }));
    const result = await gpuvm(cluster, "admin", "plan", "-f", changed, "-o", "text");
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(`update: VirtualMachine ${lab.namespace}/gaming-maintenance`);
    expect(result.stdout).toContain('~ spec.template.spec.domain.memory.guest: "4Gi" -> "6Gi"');
    expect(result.stdout).toContain(`unchanged: VirtualMachine ${lab.namespace}/gaming-live`);
    const json = JSON.parse((await gpuvm(cluster, "admin", "plan", "-f", changed, "-o", "json")).stdout);
    expect(json.changes).toBe(true);
    const updates = json.entries.filter((entry: { action: string }) => entry.action === "update");
    expect(updates.map((entry: { ref: { name: string } }) => entry.ref.name)).toEqual(["gaming-maintenance"]);
  });

  it("finishes an interrupted apply", async () => {
    const other = freshLab("interrupted");
    const model = await loadModel(other.path);
    const plan = await makePlan(client, clusterObjects(model), {
      name: model.name,
      namespace: model.cluster.namespace,
    });
    // As if the first run died after the storage classes.
    const cut = plan.entries.findIndex((entry) => entry.ref.kind === "NetworkAttachmentDefinition");
    await applyPlan(client, { entries: plan.entries.slice(0, cut) }, { prune: false, forceConflicts: false });
    const again = await gpuvm(cluster, "admin", "apply", "-f", other.path);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`storageclass.storage.k8s.io/system-${other.suffix} unchanged`);
    expect(again.stdout).toContain("virtualmachine.kubevirt.io/gaming-live created");
    expect((await gpuvm(cluster, "admin", "plan", "-f", other.path)).code).toBe(0);
  });

  it("reports a field another manager owns instead of taking it, until --force-conflicts", async () => {
    const other = freshLab("conflict");
    expect((await gpuvm(cluster, "admin", "apply", "-f", other.path)).code).toBe(0);
    // Someone else claims the storage class's expansion flag with their own server-side apply.
    const sc = `system-${other.suffix}`;
    const { rawRequest } = await import("../../test-cluster/harness.js");
    const claimed = await rawRequest(
      cluster.kubeConfig("admin"),
      "PATCH",
      `/apis/storage.k8s.io/v1/storageclasses/${sc}?fieldManager=storage-team&force=true`,
      {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: sc },
        provisioner: "driver.longhorn.io",
        allowVolumeExpansion: false,
      },
      "application/apply-patch+yaml",
    );
    expect(claimed.status).toBe(200);
    const refused = await gpuvm(cluster, "admin", "apply", "-f", other.path);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`StorageClass ${sc}: another field manager owns fields gpuvm sets`);
    expect(refused.stderr).toContain("storage-team");
    expect(refused.stderr).toContain("--force-conflicts");
    const forced = await gpuvm(cluster, "admin", "apply", "-f", other.path, "--force-conflicts");
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`storageclass.storage.k8s.io/${sc} configured`);
  });
});

describe("the shared KubeVirt CR", () => {
  it("keeps another owner's feature gates and permitted devices", async () => {
    const admin = cluster.kubeConfig("admin");
    const { rawRequest } = await import("../../test-cluster/harness.js");
    // Another owner (the cluster admin's tooling) adds its own entries first, by value, as gpuvm does.
    for (let attempt = 0; attempt < 20; attempt++) {
      const live = await client.get<KubeObjectJson & { spec?: Record<string, any> }>(KUBEVIRT_REF);
      const config = live?.spec?.configuration ?? {};
      const gates: string[] = config.developerConfiguration?.featureGates ?? [];
      const pci: { pciVendorSelector: string; resourceName: string }[] =
        config.permittedHostDevices?.pciHostDevices ?? [];
      const body = {
        apiVersion: "kubevirt.io/v1",
        kind: "KubeVirt",
        metadata: {
          name: "kubevirt",
          namespace: "kubevirt",
          ...(live ? { resourceVersion: live.metadata.resourceVersion } : {}),
        },
        spec: {
          configuration: {
            developerConfiguration: { featureGates: [...new Set([...gates, "Snapshot"])] },
            permittedHostDevices: {
              pciHostDevices: [
                ...pci.filter((entry) => entry.resourceName !== "example.com/other-nic"),
                { pciVendorSelector: "8086:1572", resourceName: "example.com/other-nic" },
              ],
            },
          },
        },
      };
      const response = live
        ? await rawRequest(
            admin,
            "PATCH",
            "/apis/kubevirt.io/v1/namespaces/kubevirt/kubevirts/kubevirt?fieldManager=cluster-admin",
            body,
            "application/merge-patch+json",
          )
        : await rawRequest(
            admin,
            "POST",
            "/apis/kubevirt.io/v1/namespaces/kubevirt/kubevirts?fieldManager=cluster-admin",
            body,
          );
      if (response.status < 300) break;
      expect([409]).toContain(response.status);
    }

    const lab = freshLab("shared");
    const result = await gpuvm(cluster, "admin", "apply", "-f", lab.path);
    expect(result.code, result.stderr).toBe(0);
    const kv = await client.get<KubeObjectJson & { spec: Record<string, any> }>(KUBEVIRT_REF);
    const gates: string[] = kv?.spec.configuration.developerConfiguration.featureGates;
    expect(gates).toContain("Snapshot");
    expect(gates).toContain("HostDevices");
    const resources = kv?.spec.configuration.permittedHostDevices.pciHostDevices.map(
      (entry: { resourceName: string }) => entry.resourceName,
    );
    expect(resources).toContain("example.com/other-nic");
    expect(resources).toContain("nvidia.com/rtx3080");
    expect(resources).toContain("nvidia.com/rtx3080-audio");
    // Each entry once, however many labs and applies added it.
    expect(new Set(resources).size).toBe(resources.length);
  });

  it("adds its entries by value while other writers race it", async () => {
    const labs = [
      freshLab("race-a", { gpuResource: "nvidia.com/race-a" }),
      freshLab("race-b", { gpuResource: "nvidia.com/race-b" }),
      freshLab("race-c", { gpuResource: "nvidia.com/race-c" }),
    ];
    const results = await Promise.all(labs.map((lab) => gpuvm(cluster, "admin", "apply", "-f", lab.path)));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const kv = await client.get<KubeObjectJson & { spec: Record<string, any> }>(KUBEVIRT_REF);
    const resources = kv?.spec.configuration.permittedHostDevices.pciHostDevices.map(
      (entry: { resourceName: string }) => entry.resourceName,
    );
    for (const name of [
      "nvidia.com/race-a",
      "nvidia.com/race-b",
      "nvidia.com/race-c",
      "example.com/other-nic",
    ]) {
      expect(resources).toContain(name);
    }
  });
});

describe("prune", () => {
  it("deletes what the lab dropped but keeps its volumes, and asks first", async () => {
    const lab = freshLab("prune");
    expect((await gpuvm(cluster, "admin", "apply", "-f", lab.path)).code).toBe(0);
    const smaller = writeLab(homelabText({ ...lab.options, withoutCompat: true }));

    const planned = await gpuvm(cluster, "admin", "plan", "-f", smaller);
    expect(planned.code).toBe(3);
    expect(planned.stdout).toContain(
      `prune (with --prune): VirtualMachine ${lab.namespace}/gaming-compat-live`,
    );
    expect(planned.stdout).toContain(
      `keep (volume no longer in the lab): PersistentVolumeClaim ${lab.namespace}/gaming-compat-system`,
    );

    // Not a terminal and no --yes: refuse, delete nothing.
    const refused = await gpuvm(cluster, "admin", "apply", "-f", smaller, "--prune");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--prune would delete:");
    expect(refused.stderr).toContain("--yes");
    expect(
      await client.get({
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachine",
        namespace: lab.namespace,
        name: "gaming-compat-live",
      }),
    ).toBeDefined();

    // Without --prune, apply leaves them and says so.
    const kept = await gpuvm(cluster, "admin", "apply", "-f", smaller);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain(
      "virtualmachine.kubevirt.io/gaming-compat-live left (no longer in the lab; --prune removes it)",
    );

    const pruned = await gpuvm(cluster, "admin", "apply", "-f", smaller, "--prune", "--yes");
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain("virtualmachine.kubevirt.io/gaming-compat-live pruned");
    expect(pruned.stdout).toContain("virtualmachine.kubevirt.io/gaming-compat-maintenance pruned");
    expect(pruned.stdout).toContain(
      "persistentvolumeclaim/gaming-compat-system kept (volume no longer in the lab; not deleted)",
    );
    const vm = (name: string) =>
      client.get({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", namespace: lab.namespace, name });
    expect(await vm("gaming-compat-live")).toBeUndefined();
    expect(await vm("gaming-live")).toBeDefined();
    expect(
      await client.get({
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        namespace: lab.namespace,
        name: "gaming-compat-system",
      }),
    ).toBeDefined();
    expect(await client.get({ apiVersion: "v1", kind: "Namespace", name: lab.namespace })).toBeDefined();
    expect(await client.get(KUBEVIRT_REF)).toBeDefined();
    // Kept volumes are not changes: the plan is clean again.
    expect((await gpuvm(cluster, "admin", "plan", "-f", smaller)).code).toBe(0);
  });
});

describe("prune and other labs", () => {
  it("never touches another lab's cluster-wide objects, even one with the same lab name", async () => {
    // Two labs both called like `gpuvm init` names every starter, in two namespaces.
    const name = uniqueName("twin");
    const first = freshLab("twin-a", { name });
    const second = freshLab("twin-b", { name });
    expect((await gpuvm(cluster, "admin", "apply", "-f", first.path)).code).toBe(0);
    expect((await gpuvm(cluster, "admin", "apply", "-f", second.path)).code).toBe(0);

    const planned = await gpuvm(cluster, "admin", "plan", "-f", first.path);
    expect(planned.stdout).not.toContain(second.suffix);
    expect(planned.code, planned.stdout).toBe(0);
    const pruned = await gpuvm(cluster, "admin", "apply", "-f", first.path, "--prune", "--yes");
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).not.toContain("pruned");
    for (const [kind, apiVersion, object] of [
      ["StorageClass", "storage.k8s.io/v1", `system-${second.suffix}`],
      ["StorageClass", "storage.k8s.io/v1", `data-${second.suffix}`],
      ["PriorityClass", "scheduling.k8s.io/v1", `gaming-priority-${second.suffix}`],
    ] as const) {
      expect(await client.get({ apiVersion, kind, name: object }), object).toBeDefined();
    }
  });
});

describe("prune and a running VM", () => {
  it("lists it in the plan but refuses to delete it, and says how to stop it", async () => {
    const lab = freshLab("prune-running");
    expect((await gpuvm(cluster, "admin", "apply", "-f", lab.path)).code).toBe(0);
    const vmRef = (name: string) => ({
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      namespace: lab.namespace,
      name,
    });
    // Started as a user would (virtctl start sets the same field).
    await client.mergePatch(vmRef("gaming-compat-live"), { spec: { runStrategy: "Always" } });
    const smaller = writeLab(homelabText({ ...lab.options, withoutCompat: true }));

    const planned = await gpuvm(cluster, "admin", "plan", "-f", smaller);
    expect(planned.code).toBe(3);
    expect(planned.stdout).toContain(
      `prune refused (the VM runs): VirtualMachine ${lab.namespace}/gaming-compat-live (it is`,
    );
    expect(planned.stdout).toContain(`virtctl stop gaming-compat-live -n ${lab.namespace}`);
    expect(planned.stdout).toContain(
      `prune (with --prune): VirtualMachine ${lab.namespace}/gaming-compat-maintenance`,
    );

    const refused = await gpuvm(cluster, "admin", "apply", "-f", smaller, "--prune", "--yes");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--prune would delete a VM that runs; nothing was applied");
    expect(refused.stderr).toContain(`virtctl stop gaming-compat-live -n ${lab.namespace}`);
    expect(await client.get(vmRef("gaming-compat-live"))).toBeDefined();
    expect(await client.get(vmRef("gaming-compat-maintenance"))).toBeDefined();

    // Without --prune, apply goes on and says why the VM stays.
    const kept = await gpuvm(cluster, "admin", "apply", "-f", smaller);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toContain(
      "virtualmachine.kubevirt.io/gaming-compat-live left (no longer in the lab, and it runs: stop it, then --prune removes it)",
    );

    await client.mergePatch(vmRef("gaming-compat-live"), { spec: { runStrategy: "Halted" } });
    const pruned = await gpuvm(cluster, "admin", "apply", "-f", smaller, "--prune", "--yes");
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(await client.get(vmRef("gaming-compat-live"))).toBeUndefined();
  });
});
