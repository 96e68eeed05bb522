/**
 * Registers the simulated aggregated server with kube-apiserver's aggregator: a Service and an
 * EndpointSlice in namespace `kubevirt`, and one APIService per group, waited on until Available.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { rawRequest } from "../harness.js";

export type Group = { group: string; version: string };

const SERVICE_NS = "kubevirt";
export const SERVICE_NAME = "gpuvm-sim-aggregated";
/** The name the serving certificate carries, as the aggregator dials the Service. */
export const SERVICE_HOST = `${SERVICE_NAME}.${SERVICE_NS}.svc`;

const SERVICES = `/api/v1/namespaces/${SERVICE_NS}/services`;
const SLICES = `/apis/discovery.k8s.io/v1/namespaces/${SERVICE_NS}/endpointslices`;
const APISERVICES = "/apis/apiregistration.k8s.io/v1/apiservices";
const apiServiceName = (g: Group) => `${g.version}.${g.group}`;

async function must(kc: KubeConfig, method: string, path: string, body?: unknown, ok = [200, 201]) {
  const r = await rawRequest(kc, method, path, body);
  if (!ok.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r;
}

export async function register(
  kc: KubeConfig,
  groups: Group[],
  endpoint: { address: string; port: number; caBundle: string },
): Promise<void> {
  const { address, port, caBundle } = endpoint;
  await must(kc, "POST", SERVICES, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: SERVICE_NAME, namespace: SERVICE_NS },
    spec: { ports: [{ name: "https", port: 443, targetPort: port, protocol: "TCP" }] },
  });
  await must(kc, "POST", SLICES, {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: `${SERVICE_NAME}-1`,
      namespace: SERVICE_NS,
      labels: { "kubernetes.io/service-name": SERVICE_NAME },
    },
    addressType: "IPv4",
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [{ name: "https", port, protocol: "TCP" }],
  });
  for (const g of groups) {
    const service = { namespace: SERVICE_NS, name: SERVICE_NAME, port: 443 };
    const spec = { ...g, service, caBundle, groupPriorityMinimum: 1000, versionPriority: 15 };
    await must(kc, "POST", APISERVICES, {
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: apiServiceName(g) },
      spec,
    });
  }
  const deadline = Date.now() + 30_000;
  for (const g of groups) await waitAvailable(kc, g, deadline);
}

async function waitAvailable(kc: KubeConfig, g: Group, deadline: number): Promise<void> {
  type Conditions = { status?: { conditions?: { type: string; status: string; message?: string }[] } };
  for (;;) {
    const r = await must(kc, "GET", `${APISERVICES}/${apiServiceName(g)}`);
    const available = (r.body as Conditions).status?.conditions?.find((c) => c.type === "Available");
    if (available?.status === "True") return;
    if (Date.now() > deadline)
      throw new Error(`APIService ${apiServiceName(g)} not Available: ${available?.message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function unregister(kc: KubeConfig, groups: Group[]): Promise<void> {
  const gone = [200, 404];
  for (const g of groups) await must(kc, "DELETE", `${APISERVICES}/${apiServiceName(g)}`, undefined, gone);
  await must(kc, "DELETE", `${SLICES}/${SERVICE_NAME}-1`, undefined, gone);
  await must(kc, "DELETE", `${SERVICES}/${SERVICE_NAME}`, undefined, gone);
}
