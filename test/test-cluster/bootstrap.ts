/**
 * Run by test/test-cluster/up once the API server is ready: installs the CRDs from
 * crds/generate.ts (waiting until each is Established) and the RBAC objects of
 * the deliberately limited test user. Test code only.
 *
 *   tsx test/test-cluster/bootstrap.ts <cluster.json>
 */
import { readFileSync } from "node:fs";
import { ApiextensionsV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { generateCrds } from "./crds/generate.js";
import { rawRequest } from "./harness.js";

/** Namespace the `limited` user may read (get/list/watch) and nothing else. */
const LIMITED_NAMESPACE = "gpuvm-limited";

async function main(): Promise<void> {
  const infoPath = process.argv[2];
  if (!infoPath) throw new Error("usage: bootstrap.ts <cluster.json>");
  const info = JSON.parse(readFileSync(infoPath, "utf8")) as { kubeconfigPath: string };
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfigPath);
  kc.setCurrentContext("admin");
  const started = Date.now();
  const installed = await installCrds(kc);
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of [LIMITED_NAMESPACE, "kubevirt", "cdi"]) {
    await core.createNamespace({ body: { metadata: { name } } });
  }
  await limitedReader(kc.makeApiClient(RbacAuthorizationV1Api));
  console.error(`[cluster] ${installed} CRDs established, RBAC ready in ${Date.now() - started} ms`);
}

/** Creates every CRD and waits until each is Established; returns how many. */
async function installCrds(kc: KubeConfig): Promise<number> {
  const crds = generateCrds();
  const failures: string[] = [];
  // Raw requests: client-node's typed CRD model would drop the x-kubernetes-* keys.
  await Promise.all(
    crds.map(async (crd) => {
      const r = await rawRequest(kc, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
      if (r.status !== 201)
        failures.push(
          `${crd.metadata.name}: ${r.status} ${(r.body as { message?: string }).message ?? r.text}`,
        );
    }),
  );
  if (failures.length > 0) throw new Error(`CRDs rejected by the API server:\n${failures.join("\n")}`);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds) await waitEstablished(ext, crd.metadata.name);
  return crds.length;
}

/** User `limited` may get/list/watch a few resources in LIMITED_NAMESPACE, nothing else. */
async function limitedReader(rbac: RbacAuthorizationV1Api): Promise<void> {
  const resources = [
    "configmaps",
    "persistentvolumeclaims",
    "virtualmachines",
    "virtualmachineinstances",
    "datavolumes",
  ];
  await rbac.createNamespacedRole({
    namespace: LIMITED_NAMESPACE,
    body: {
      metadata: { name: "gpuvm-reader" },
      rules: [
        { apiGroups: ["", "kubevirt.io", "cdi.kubevirt.io"], resources, verbs: ["get", "list", "watch"] },
      ],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: LIMITED_NAMESPACE,
    body: {
      metadata: { name: "gpuvm-reader-limited" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "gpuvm-reader" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "limited" }],
    },
  });
}

async function waitEstablished(ext: ApiextensionsV1Api, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const crd = await ext.readCustomResourceDefinition({ name });
    const conds = crd.status?.conditions ?? [];
    if (conds.some((c) => c.type === "Established" && c.status === "True")) return;
    const bad = conds.find((c) => c.type === "NamesAccepted" && c.status === "False");
    if (bad) throw new Error(`CRD ${name}: ${bad.message}`);
    if (Date.now() > deadline) throw new Error(`CRD ${name} not Established: ${JSON.stringify(conds)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

main().catch((e) => {
  console.error(`[cluster] bootstrap failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
