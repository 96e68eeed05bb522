/**
 * KubeVirt's `subresources.kubevirt.io` and CDI's `upload.cdi.kubevirt.io` aggregated APIs, served on
 * the cluster's aggregation address and reached through kube-apiserver's real aggregator.
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import type { ClusterInfo } from "../harness.js";
import { register, SERVICE_HOST, unregister } from "./apiservices.js";
import { type Backend, consoleServer } from "./console.js";
import { fromFrontProxy, readBody, reply, status } from "./http.js";
import type { Simulator } from "./index.js";
import { servingCert } from "./tls.js";

export type AggregatedApis = {
  /**
   * Requests the server received, as "METHOD path" (after the aggregator); upgrades as
   * "METHOD path (upgrade by USER)", USER being who the API server authenticated.
   */
  readonly requests: string[];
  /** namespace/name → sockets of the VMI's current QEMU (delete or replace on "reboot"). */
  readonly backends: Map<string, Backend>;
  /** Unregisters the APIServices, deletes Service/EndpointSlice, closes the server. */
  stop(): Promise<void>;
};

const GROUPS = [
  {
    group: "subresources.kubevirt.io",
    version: "v1",
    resources: [
      { name: "virtualmachines/start", kind: "VirtualMachine", verbs: ["update"] },
      { name: "virtualmachines/stop", kind: "VirtualMachine", verbs: ["update"] },
      { name: "virtualmachines/restart", kind: "VirtualMachine", verbs: ["update"] },
      { name: "virtualmachineinstances/console", kind: "VirtualMachineInstance", verbs: ["get"] },
      { name: "virtualmachineinstances/vnc", kind: "VirtualMachineInstance", verbs: ["get"] },
    ],
  },
  {
    group: "upload.cdi.kubevirt.io",
    version: "v1beta1",
    resources: [{ name: "uploadtokenrequests", kind: "UploadTokenRequest", verbs: ["create"] }],
  },
];
const groupsOnly = GROUPS.map(({ group, version }) => ({ group, version }));

/**
 * Serves the aggregated APIs for `sim` and registers them with the cluster.
 * Throws (with the reason) when the cluster has no aggregation address.
 */
export async function serveAggregatedApis(
  kc: KubeConfig,
  cluster: ClusterInfo,
  sim: Simulator,
): Promise<AggregatedApis> {
  if (!cluster.aggregation) {
    throw new Error("the test cluster has no network namespace for aggregated APIs (see the up log)");
  }
  const address = cluster.aggregation.hostAddress;
  const pki = join(cluster.dir, "pki");
  const requests: string[] = [];
  const backends = new Map<string, Backend>();
  const server = httpsServer(pki, address, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    void handle(req, res, sim).catch((e) => reply(res, 500, status(500, String(e))));
  });
  const { wss, upgrade } = consoleServer(kc, backends);
  server.on("upgrade", (req: IncomingMessage, socket, head) => {
    requests.push(`${req.method} ${req.url} (upgrade by ${req.headers["x-remote-user"]})`);
    upgrade(req, socket, head);
  });
  const port = await listen(server, address);
  const caBundle = readFileSync(join(pki, "ca.crt")).toString("base64");
  await register(kc, groupsOnly, { address, port, caBundle });
  return {
    requests,
    backends,
    async stop() {
      await unregister(kc, groupsOnly);
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}

/** A TLS server whose certificate the cluster CA signs (the APIService's caBundle names it). */
function httpsServer(
  pki: string,
  address: string,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
) {
  const ca = { caCertFile: join(pki, "ca.crt"), caKeyFile: join(pki, "ca.key") };
  const { key, cert } = servingCert(ca, [SERVICE_HOST], [address]);
  const frontProxyCa = readFileSync(join(pki, "front-proxy-ca.crt"));
  return createServer(
    { key, cert, requestCert: true, rejectUnauthorized: false, ca: frontProxyCa },
    onRequest,
  );
}

function listen(server: Server, address: string): Promise<number> {
  return new Promise<number>((res, rej) => {
    server.once("error", rej);
    server.listen(0, address, () => res((server.address() as AddressInfo).port));
  });
}

const VM_VERB =
  /^\/apis\/subresources\.kubevirt\.io\/v1\/namespaces\/([^/]+)\/virtualmachines\/([^/]+)\/(start|stop|restart)$/;
const UPLOAD_TOKEN = /^\/apis\/upload\.cdi\.kubevirt\.io\/v1beta1\/namespaces\/([^/]+)\/uploadtokenrequests$/;

async function handle(req: IncomingMessage, res: ServerResponse, sim: Simulator): Promise<void> {
  if (!fromFrontProxy(req)) return reply(res, 401, status(401, "Unauthorized"));
  const path = new URL(req.url ?? "/", "https://sim").pathname.replace(/\/$/, "");
  const discovered = req.method === "GET" ? discovery(path) : undefined;
  if (discovered) return reply(res, 200, discovered);
  const vm = VM_VERB.exec(path);
  if (vm && req.method === "PUT")
    return vmVerb(res, sim, vm[1] ?? "", vm[2] ?? "", vm[3] as "start" | "stop" | "restart");
  const upload = UPLOAD_TOKEN.exec(path);
  if (upload && req.method === "POST") return uploadToken(req, res, upload[1] ?? "");
  reply(res, 404, status(404, `the simulated aggregated API has no ${req.method} ${path}`));
}

/** The discovery documents the aggregator reads: the group list, and each group's resources. */
function discovery(path: string): unknown {
  const gv = (g: { group: string; version: string }) => ({
    groupVersion: `${g.group}/${g.version}`,
    version: g.version,
  });
  if (path === "/apis") {
    const groups = GROUPS.map((g) => ({ name: g.group, versions: [gv(g)], preferredVersion: gv(g) }));
    return { kind: "APIGroupList", apiVersion: "v1", groups };
  }
  const g = GROUPS.find((g) => path === `/apis/${g.group}/${g.version}`);
  if (!g) return undefined;
  const resources = g.resources.map((r) => ({ ...r, namespaced: true, singularName: "" }));
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: gv(g).groupVersion, resources };
}

/** PUT virtualmachines/{start,stop,restart}: 202, or the refusal as a 404 or 409 Status. */
async function vmVerb(
  res: ServerResponse,
  sim: Simulator,
  ns: string,
  name: string,
  verb: "start" | "stop" | "restart",
) {
  try {
    await sim[verb](ns, name);
    res.writeHead(202).end();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const code = /not found/.test(message) ? 404 : 409;
    reply(res, code, status(code, message));
  }
}

/** POST uploadtokenrequests: 201 with a token for the named PVC. */
async function uploadToken(req: IncomingMessage, res: ServerResponse, ns: string): Promise<void> {
  const body = JSON.parse(await readBody(req)) as {
    metadata?: { name?: string };
    spec?: { pvcName?: string };
  };
  const pvcName = body.spec?.pvcName;
  if (!pvcName) return reply(res, 422, status(422, "spec.pvcName: Required value"));
  reply(res, 201, {
    apiVersion: "upload.cdi.kubevirt.io/v1beta1",
    kind: "UploadTokenRequest",
    metadata: { name: body.metadata?.name ?? "token", namespace: ns },
    spec: { pvcName },
    status: { token: `sim-upload-token-${ns}-${pvcName}` },
  });
}
