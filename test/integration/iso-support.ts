// Shared setup of the ISO and console integration tests: a namespace of their own, the KubeVirt/CDI
// simulator and its aggregated APIs (UploadTokenRequest), and the lab's VMs applied into the namespace.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { parse, stringify } from "yaml";
import { parseModel } from "../../src/model/index.js";
import { renderVirtualMachines } from "../../src/render/virtual-machine.js";
import { exampleText } from "../support/labs.js";
import { type Cluster, rawRequest } from "../test-cluster/harness.js";

export async function must(kc: KubeConfig, method: string, path: string, body?: unknown, ok = [200, 201]) {
  const r = await rawRequest(kc, method, path, body);
  if (!ok.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r;
}

export async function createNamespace(kc: KubeConfig, name: string): Promise<void> {
  await must(
    kc,
    "POST",
    "/api/v1/namespaces",
    { apiVersion: "v1", kind: "Namespace", metadata: { name } },
    [201, 409],
  );
}

/** The homelab example with its namespace moved to `namespace`, written to `dir`/lab.yaml. */
export function writeLab(dir: string, namespace: string): string {
  const doc = parse(exampleText("homelab")) as { cluster: { namespace: string } };
  doc.cluster.namespace = namespace;
  const path = join(dir, "lab.yaml");
  writeFileSync(path, stringify(doc));
  return path;
}

/** Creates the lab's VirtualMachines (Strict validation) as gpuvm apply would (field manager gpuvm). */
export async function applyLabVms(kc: KubeConfig, labPath: string, text: string): Promise<void> {
  const lab = parseModel(text, labPath);
  for (const vm of renderVirtualMachines(lab)) {
    const ns = vm.metadata?.namespace ?? "";
    const r = await rawRequest(
      kc,
      "PATCH",
      `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/${vm.metadata?.name}?fieldManager=gpuvm&fieldValidation=Strict`,
      JSON.stringify(vm),
      "application/apply-patch+yaml",
    );
    if (r.status >= 300) throw new Error(`apply ${vm.metadata?.name}: ${r.status} ${r.text}`);
  }
}

export function kubeArgs(cluster: Cluster, namespace: string): string[] {
  return ["--kubeconfig", cluster.kubeconfigPath, "--context", "admin", "-n", namespace];
}
