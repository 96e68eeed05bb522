// gpuvm cluster doctor against the real API server: versions from the operators' CR status, feature
// gates, permitted devices, GPU node allocatable, storage, network, priorities and the upload proxy.
import { beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "../../test-cluster/harness.js";
import { freshLab, gpuvm, sharedCluster } from "./support.js";

const cluster = sharedCluster();
const admin = cluster.kubeConfig("admin");
const lab = freshLab("doctor");

interface Check {
  id: string;
  verdict: string;
  subject?: string;
  detail: string;
  fix?: string;
}

async function send(method: string, path: string, body?: unknown, type?: string) {
  const response = await rawRequest(admin, method, path, body, type);
  expect([200, 201, 409], `${method} ${path}: ${response.text}`).toContain(response.status);
  return response;
}

async function doctor(): Promise<{ code: number; checks: Check[] }> {
  const result = await gpuvm(cluster, "admin", "cluster", "doctor", "-f", lab.path, "-o", "json");
  expect(result.stderr).toBe("");
  return { code: result.code, checks: JSON.parse(result.stdout).checks as Check[] };
}

const find = (checks: Check[], id: string, subject?: string) =>
  checks.find((check) => check.id === id && (subject === undefined || check.subject === subject));

beforeAll(async () => {
  expect((await gpuvm(cluster, "admin", "apply", "-f", lab.path)).code).toBe(0);
  // What the operators and the kubelet would report on a real cluster.
  const merge = "application/merge-patch+json";
  await send(
    "PATCH",
    "/apis/kubevirt.io/v1/namespaces/kubevirt/kubevirts/kubevirt/status",
    { status: { phase: "Deployed", observedKubeVirtVersion: "v1.6.3" } },
    merge,
  );
  await send(
    "PATCH",
    "/apis/cdi.kubevirt.io/v1beta1/cdis/cdi/status",
    { status: { phase: "Deployed", observedVersion: "v1.62.0" } },
    merge,
  );
  await send("POST", "/apis/cdi.kubevirt.io/v1beta1/cdiconfigs", {
    apiVersion: "cdi.kubevirt.io/v1beta1",
    kind: "CDIConfig",
    metadata: { name: "config" },
    spec: {},
  });
  await send(
    "PATCH",
    "/apis/cdi.kubevirt.io/v1beta1/cdiconfigs/config/status",
    { status: { uploadProxyURL: "https://cdi-uploadproxy.example:31001" } },
    merge,
  );
  await send("POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "tower1" } });
});

describe("gpuvm cluster doctor", () => {
  it("reports versions, gates, devices, storage, network and priorities from the cluster", async () => {
    await send(
      "PATCH",
      "/api/v1/nodes/tower1/status",
      { status: { allocatable: { "nvidia.com/rtx3080": "1", "nvidia.com/rtx3080-audio": "1" } } },
      "application/merge-patch+json",
    );
    const { checks } = await doctor();
    expect(find(checks, "kubevirt")).toMatchObject({
      verdict: "ok",
      detail: "KubeVirt v1.6.3 (the lab declares v1.6.3)",
    });
    expect(find(checks, "cdi")).toMatchObject({
      verdict: "warn",
      detail: "CDI v1.62.0 runs, but the lab declares v1.63.1",
    });
    expect(find(checks, "cdi")?.fix).toContain("upgrade CDI to v1.63.1");
    expect(find(checks, "feature-gates")?.verdict).toBe("ok");
    expect(find(checks, "permitted-devices")?.verdict).toBe("ok");
    expect(find(checks, "gpu-node", "tower1 nvidia.com/rtx3080")).toMatchObject({
      verdict: "ok",
      detail: "tower1 advertises 1 nvidia.com/rtx3080 (needs 1)",
    });
    expect(find(checks, "storage-class", `system-${lab.suffix}`)?.verdict).toBe("ok");
    expect(find(checks, "multus")?.verdict).toBe("ok");
    expect(find(checks, "network", `lan-${lab.suffix}`)?.verdict).toBe("ok");
    expect(find(checks, "priority-class", `gaming-priority-${lab.suffix}`)?.verdict).toBe("ok");
    expect(find(checks, "cdi-upload-proxy")).toMatchObject({
      verdict: "ok",
      detail: "upload proxy: https://cdi-uploadproxy.example:31001",
    });
    expect(find(checks, "block-upload")?.detail).toContain("device_ownership_from_security_context = true");
  });

  it("fails, with the fix, when the GPU host does not advertise the GPU", async () => {
    await send(
      "PATCH",
      "/api/v1/nodes/tower1/status",
      { status: { allocatable: { "nvidia.com/rtx3080": "0", "nvidia.com/rtx3080-audio": "1" } } },
      "application/merge-patch+json",
    );
    const { code, checks } = await doctor();
    expect(code).toBe(1);
    const gpu = find(checks, "gpu-node", "tower1 nvidia.com/rtx3080");
    expect(gpu).toMatchObject({
      verdict: "fail",
      detail: "tower1 advertises 0 nvidia.com/rtx3080 in status.allocatable, the lab needs 1",
    });
    expect(gpu?.fix).toContain("vfio-pci");
    const text = await gpuvm(cluster, "admin", "cluster", "doctor", "-f", lab.path);
    expect(text.stdout).toContain(
      "fail  gpu-node [tower1 nvidia.com/rtx3080]: tower1 advertises 0 nvidia.com/rtx3080",
    );
    expect(text.stdout).toContain("      fix: bind the GPU's functions to vfio-pci on tower1");
  });

  it("fails when a storage class binds differently than the lab says", async () => {
    const other = freshLab("doctor-binding");
    expect((await gpuvm(cluster, "admin", "apply", "-f", other.path)).code).toBe(0);
    // volumeBindingMode is immutable: replace the class as an admin might have made it.
    const name = `data-${other.suffix}`;
    await send("DELETE", `/apis/storage.k8s.io/v1/storageclasses/${name}`);
    await send("POST", "/apis/storage.k8s.io/v1/storageclasses", {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name },
      provisioner: "driver.longhorn.io",
      volumeBindingMode: "WaitForFirstConsumer",
    });
    const result = await gpuvm(cluster, "admin", "cluster", "doctor", "-f", other.path, "-o", "json");
    const check = find(JSON.parse(result.stdout).checks, "storage-class", name);
    expect(check).toMatchObject({
      verdict: "fail",
      detail: `${name} binds WaitForFirstConsumer, the lab says Immediate`,
    });
    expect(check?.fix).toContain(`delete storage class ${name} (its volumes stay)`);
  });
});
