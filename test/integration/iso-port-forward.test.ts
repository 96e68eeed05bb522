/**
 * gpuvm iso upload where CDIConfig names no upload proxy URL: gpuvm finds a running pod of the
 * cdi-uploadproxy service and port-forwards to it itself, through the real API server (WebSocket
 * port-forward, the user's credentials) to a stand-in kubelet that bridges to the stand-in upload proxy,
 * and checks the proxy's certificate against CDI's signer bundle and the service's name. CDIConfig is
 * cluster-wide state, so this file runs its own API server.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { writeIsoImage } from "../support/iso-image.js";
import { requirePrerequisite } from "../support/prerequisites.js";
import { tempDir } from "../support/temp.js";
import { type Cluster, rawRequest, startCluster } from "../test-cluster/harness.js";
import { type AggregatedApis, serveAggregatedApis } from "../test-cluster/sim/aggregated.js";
import { type Simulator, startSimulator } from "../test-cluster/sim/index.js";
import { type Kubelet, startKubelet } from "../test-cluster/sim/kubelet.js";
import { startUploadProxy, type UploadProxy } from "../test-cluster/sim/upload-proxy.js";
import { createNamespace, kubeArgs, must } from "./iso-support.js";

const ns = "iso-forward";
const dir = tempDir("gpuvm-iso-forward-");
// The stand-in kubelet listens on the veth address of the cluster's network namespace.
const root = requirePrerequisite(
  "root (network namespace)",
  process.getuid?.() === 0,
  "the port-forward test's stand-in kubelet listens in the cluster's network namespace (ip netns); run the tests as root",
);
let cluster: Cluster;
let sim: Simulator;
let apis: AggregatedApis;
let kubelet: Kubelet;
let proxy: UploadProxy;

beforeAll(async () => {
  if (!root) return;
  cluster = await startCluster();
  const admin = cluster.kubeConfig("admin");
  await createNamespace(admin, ns);
  await createNamespace(admin, "cdi");
  sim = await startSimulator(admin, { namespace: ns });
  apis = await serveAggregatedApis(admin, cluster, sim);
  const prefix = `sim-upload-token-${ns}-`;
  proxy = await startUploadProxy({
    tokenValid: (token) =>
      token.startsWith(prefix) ? { namespace: ns, name: token.slice(prefix.length) } : undefined,
    onComplete: (n, name) => sim.completeUpload(n, name),
    names: ["cdi-uploadproxy.cdi.svc"],
  });
  const proxyPort = Number(new URL(proxy.url).port);
  kubelet = await startKubelet(admin, cluster, "gpuvm-sim-node", (namespace, pod, port) =>
    namespace === "cdi" && pod === "cdi-uploadproxy-7d9f" && port === 8443
      ? { host: "127.0.0.1", port: proxyPort }
      : undefined,
  );
  // What CDI's operator deploys: the service, a running pod behind it, the signer bundle; no proxy URL.
  await must(admin, "POST", "/apis/cdi.kubevirt.io/v1beta1/cdiconfigs", {
    apiVersion: "cdi.kubevirt.io/v1beta1",
    kind: "CDIConfig",
    metadata: { name: "config" },
    spec: {},
  });
  await must(admin, "POST", "/api/v1/namespaces/cdi/configmaps", {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cdi-uploadproxy-signer-bundle", namespace: "cdi" },
    data: { "ca-bundle.crt": proxy.ca },
  });
  await must(admin, "POST", "/api/v1/namespaces/cdi/services", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "cdi-uploadproxy", namespace: "cdi" },
    spec: { selector: { "cdi.kubevirt.io": "cdi-uploadproxy" }, ports: [{ port: 443, targetPort: 8443 }] },
  });
  await must(admin, "POST", "/api/v1/namespaces/cdi/serviceaccounts", {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "default", namespace: "cdi" },
  });
  await must(admin, "POST", "/api/v1/namespaces/cdi/pods", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "cdi-uploadproxy-7d9f",
      namespace: "cdi",
      labels: { "cdi.kubevirt.io": "cdi-uploadproxy" },
    },
    spec: {
      nodeName: kubelet.nodeName,
      automountServiceAccountToken: false,
      containers: [{ name: "cdi-uploadproxy", image: "quay.io/kubevirt/cdi-uploadproxy:v1.63.1" }],
    },
  });
  const running = await rawRequest(
    admin,
    "PATCH",
    "/api/v1/namespaces/cdi/pods/cdi-uploadproxy-7d9f/status",
    JSON.stringify({ status: { phase: "Running", podIP: "10.244.0.7" } }),
    "application/merge-patch+json",
  );
  expect(running.status).toBe(200);
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await kubelet?.stop();
  await apis?.stop();
  await sim?.close();
  await cluster?.stop();
});

describe("gpuvm iso upload without an upload proxy URL", () => {
  it("port-forwards to the cdi-uploadproxy pod through the API server and uploads exactly the file", async (ctx) => {
    if (!root) ctx.skip();
    const file = join(dir, "bazzite.iso");
    const digest = writeIsoImage(file, 3 * 1024 * 1024 + 17);
    const r = await runCli("iso", "upload", file, ...kubeArgs(cluster, ns));
    expect(r.stderr).toContain("CDIConfig names no upload proxy URL; port-forwarding to cdi/cdi-uploadproxy");
    expect(r.code).toBe(0);
    expect(kubelet.forwards).toContain("cdi/cdi-uploadproxy-7d9f:8443");
    expect(proxy.uploads).toEqual([
      expect.objectContaining({ name: "bazzite", sha256: digest, complete: true }),
    ]);
    const dv = (
      await must(
        cluster.kubeConfig("admin"),
        "GET",
        `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes/bazzite`,
      )
    ).body as any;
    expect(dv.metadata.annotations["gpuvm.io/iso-sha256"]).toBe(digest);
  });
});
