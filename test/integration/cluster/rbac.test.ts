// The role `render --with-rbac` emits is enough for every command, and a user without it is told
// plainly what they may not do (verb, resource, namespace), with no stack trace.
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { KubeClient } from "../../../src/cluster/client.js";
import { loadModel } from "../../../src/model/index.js";
import { runCli } from "../../support/cli.js";
import { rawRequest } from "../../test-cluster/harness.js";
import type { Simulator } from "../../test-cluster/sim/index.js";
import {
  freshLab,
  gpuLeaseRef,
  gpuvm,
  homelabText,
  readGpuLease,
  sharedCluster,
  simulate,
  writeLab,
} from "./support.js";

const cluster = sharedCluster();
const admin = cluster.kubeConfig("admin");
const lab = freshLab("rbac");
let sim: Simulator;
let kubeconfig: string;

async function post(path: string, body: unknown): Promise<unknown> {
  const response = await rawRequest(admin, "POST", path, body);
  expect(response.status, response.text).toBeLessThan(300);
  return response.body;
}

beforeAll(async () => {
  const rendered = await runCli("render", "-f", lab.path, "--target", "kubevirt", "--with-rbac");
  expect(rendered.code, rendered.stderr).toBe(0);
  const docs = parseAllDocuments(rendered.stdout).map((doc) => doc.toJSON());
  const clusterRole = docs.find((doc) => doc.kind === "ClusterRole");
  const role = docs.find((doc) => doc.kind === "Role" && doc.metadata.namespace === lab.namespace);
  const lockRole = docs.find((doc) => doc.kind === "Role" && doc.metadata.namespace === "gpuvm-locks");
  expect(role).toBeDefined();
  expect(docs.find((doc) => doc.kind === "Namespace" && doc.metadata.name === "gpuvm-locks")).toBeDefined();

  // The namespace the service account lives in is the lab's, created by the admin beforehand.
  await post("/api/v1/namespaces", { metadata: { name: lab.namespace } });
  await post("/apis/rbac.authorization.k8s.io/v1/clusterroles", clusterRole);
  await post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${lab.namespace}/roles`, role);
  // The lock namespace and its Role are shared by every lab: an earlier test may have made them.
  await rawRequest(admin, "POST", "/api/v1/namespaces", { metadata: { name: "gpuvm-locks" } });
  await rawRequest(
    admin,
    "POST",
    "/apis/rbac.authorization.k8s.io/v1/namespaces/gpuvm-locks/roles",
    lockRole,
  );
  await post(`/api/v1/namespaces/${lab.namespace}/serviceaccounts`, { metadata: { name: "gpuvm" } });
  const subject = { kind: "ServiceAccount", name: "gpuvm", namespace: lab.namespace };
  await post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
    metadata: { name: `${clusterRole.metadata.name}-gpuvm` },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name },
    subjects: [subject],
  });
  await post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${lab.namespace}/rolebindings`, {
    metadata: { name: "gpuvm" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
    subjects: [subject],
  });
  await post("/apis/rbac.authorization.k8s.io/v1/namespaces/gpuvm-locks/rolebindings", {
    metadata: { name: `gpuvm-${lab.namespace}` },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: lockRole.metadata.name },
    subjects: [subject],
  });
  const token = (await post(`/api/v1/namespaces/${lab.namespace}/serviceaccounts/gpuvm/token`, {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    spec: { expirationSeconds: 3600 },
  })) as { status: { token: string } };
  const ca = readFileSync(cluster.caFile).toString("base64");
  kubeconfig = writeLab(
    `apiVersion: v1
kind: Config
clusters: [{ name: test, cluster: { server: "${cluster.server}", certificate-authority-data: ${ca} } }]
users: [{ name: gpuvm, user: { token: ${token.status.token} } }]
contexts: [{ name: gpuvm, context: { cluster: test, user: gpuvm } }]
current-context: gpuvm
`,
    "kubeconfig",
  );
  sim = await simulate(cluster, lab.namespace);
});

afterAll(async () => {
  await sim?.close();
});

describe("a service account bound to the rendered roles", () => {
  const as = (...args: string[]) => runCli(...args, "-f", lab.path, "--kubeconfig", kubeconfig);

  it("runs every command", async () => {
    const steps: [string[], number][] = [
      [["plan"], 3],
      [["apply"], 0],
      [["plan"], 0],
      [["start", "gaming", "--wait"], 0],
      [["status", "-o", "wide"], 0],
      [["switch", "gaming", "--to", "maintenance", "--wait"], 0],
      [["restart", "gaming", "--wait"], 0],
      [["wait", "gaming", "--for", "running"], 0],
      [["stop", "gaming"], 0],
      [["wait", "gaming", "--for", "stopped"], 0],
    ];
    for (const [args, code] of steps) {
      const result = await as(...args);
      expect(result.code, `gpuvm ${args.join(" ")}: ${result.stderr}`).toBe(code);
      expect(result.stderr).not.toContain("you may not");
    }
    const smaller = writeLab(homelabText({ ...lab.options, withoutCompat: true }));
    const pruned = await runCli("apply", "-f", smaller, "--prune", "--yes", "--kubeconfig", kubeconfig);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain("virtualmachine.kubevirt.io/gaming-compat-live pruned");
    // The doctor fails on this cluster (no node tower1), but not for want of permissions.
    const doctor = await as("cluster", "doctor", "-o", "json");
    expect(doctor.stderr).toBe("");
    const report = JSON.parse(doctor.stdout) as { checks: { id: string; verdict: string }[] };
    expect(report.checks.find((check) => check.id === "gpu-node")?.verdict).toBe("fail");
    expect(report.checks.find((check) => check.id === "feature-gates")?.verdict).toBe("ok");
  });

  it("treats a GPU holder in a namespace it may not read as running, and does not take the GPU", async () => {
    expect((await as("apply")).code).toBe(0);
    const model = await loadModel(lab.path);
    const ref = gpuLeaseRef(model);
    const holder = "someone-elses-namespace/their-vm";
    await post(`/apis/coordination.k8s.io/v1/namespaces/${ref.namespace}/leases`, {
      metadata: { name: ref.name, annotations: { "gpuvm.io/confirmed": "true" } },
      spec: { holderIdentity: holder, leaseDurationSeconds: 30 },
    });
    try {
      const refused = await as("start", "gaming");
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`GPU rtx3080 on tower1 is held by ${holder}; stop it first`);
      expect((await readGpuLease(new KubeClient(admin), model))?.spec.holderIdentity).toBe(holder);
    } finally {
      await rawRequest(
        admin,
        "DELETE",
        `/apis/coordination.k8s.io/v1/namespaces/${ref.namespace}/leases/${ref.name}`,
      );
    }
  });

  it("never prints the token", async () => {
    const token = readFileSync(kubeconfig, "utf8").match(/token: (\S+)/)?.[1] as string;
    const results = await Promise.all([as("status"), as("plan", "-o", "json"), as("start", "nope")]);
    for (const result of results) expect(result.stdout + result.stderr).not.toContain(token);
  });
});

describe("the harness's limited user", () => {
  const limited = (...args: string[]) => gpuvm(cluster, "limited", ...args, "-n", cluster.limitedNamespace);
  let limitedLab: string;

  beforeAll(async () => {
    // The admin puts the lab's VMs in the namespace the limited user may read.
    limitedLab = lab.path;
    // An earlier run against a reused cluster may have left another lab's volumes there; no
    // controller runs to drop their protection finalizer, so the test does.
    const pvcs = `/api/v1/namespaces/${cluster.limitedNamespace}/persistentvolumeclaims`;
    const left = (await rawRequest(admin, "GET", pvcs)).body as { items: { metadata: { name: string } }[] };
    for (const pvc of left.items) {
      await rawRequest(
        admin,
        "PATCH",
        `${pvcs}/${pvc.metadata.name}`,
        { metadata: { finalizers: null } },
        "application/merge-patch+json",
      );
      await rawRequest(admin, "DELETE", `${pvcs}/${pvc.metadata.name}`);
    }
    const applied = await gpuvm(cluster, "admin", "apply", "-f", limitedLab, "-n", cluster.limitedNamespace);
    expect(applied.code, applied.stderr).toBe(0);
  });

  const denial =
    /^gpuvm: you may not (get|list|watch|create|update|patch|delete) [\w.-]+( "[^"]+")? (in namespace [\w-]+|\(cluster-wide\)): your Kubernetes user lacks that permission/;

  it.each([
    [["plan"], `you may not get namespaces "gpuvm-limited" (cluster-wide)`],
    [["apply"], `you may not get namespaces "gpuvm-limited" (cluster-wide)`],
    [
      ["start", "gaming"],
      `you may not create leases.coordination.k8s.io "gpuvm-vm-gaming" in namespace gpuvm-limited`,
    ],
    [
      ["stop", "gaming"],
      `you may not get leases.coordination.k8s.io "gpuvm-vm-gaming" in namespace gpuvm-limited`,
    ],
    [["cluster", "doctor"], "you may not list kubevirts.kubevirt.io in namespace kubevirt"],
  ])("gpuvm %j is refused with a clear message", async (args, says) => {
    const result = await limited(...(args as string[]), "-f", limitedLab);
    expect(result.code).toBe(1);
    // Lint notes or progress may come first; the refusal is the last line, and the only error.
    const last = result.stderr.trim().split("\n").at(-1) ?? "";
    expect(last).toMatch(denial);
    expect(result.stderr.match(/^gpuvm: /gm)).toHaveLength(1);
    expect(result.stderr).toContain(says);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

// Keeps the written kubeconfig out of the way of other tests' temporary folders.
afterAll(() => {
  if (kubeconfig) writeFileSync(kubeconfig, "");
});
