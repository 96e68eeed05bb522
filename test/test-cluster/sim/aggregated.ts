import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import { type AddressInfo, connect } from "node:net";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import type { KubeConfig } from "@kubernetes/client-node";
import { WebSocketServer } from "ws";
import type { ClusterInfo } from "../harness.js";
import { rawRequest } from "../harness.js";
import type { Simulator } from "./index.js";
import { servingCert } from "./tls.js";

export interface Backend {
  vnc?: string;
  console?: string;
}

export type AggregatedApis = {
  /** https://<address>:<port> of the simulated server. */
  url: string;
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

const SERVICE_NS = "kubevirt";
const SERVICE_NAME = "gpuvm-sim-aggregated";

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
  // Signed by the cluster CA, which the APIService's caBundle names.
  const { key, cert } = servingCert(
    { caCertFile: join(pki, "ca.crt"), caKeyFile: join(pki, "ca.key") },
    [`${SERVICE_NAME}.${SERVICE_NS}.svc`],
    [address],
  );
  const requests: string[] = [];

  const server = createServer(
    {
      key,
      cert,
      requestCert: true,
      rejectUnauthorized: false,
      ca: readFileSync(join(pki, "front-proxy-ca.crt")),
    },
    (req, res) => {
      requests.push(`${req.method} ${req.url}`);
      void handle(req, res, sim).catch((e) => reply(res, 500, status(500, String(e))));
    },
  );
  const backends = new Map<string, Backend>();
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has("plain.kubevirt.io") ? "plain.kubevirt.io" : false),
  });
  server.on("upgrade", (req: IncomingMessage, socket, head) => {
    requests.push(`${req.method} ${req.url} (upgrade by ${req.headers["x-remote-user"]})`);
    // Refusals as KubeVirt's virt-api writes them: a JSON Status with the HTTP code.
    const refuse = (code: number, message: string) => {
      const body = JSON.stringify(status(code, message));
      socket.end(
        `HTTP/1.1 ${code} ${STATUS_TEXT[code] ?? "Error"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    const m =
      /^\/apis\/subresources\.kubevirt\.io\/v1\/namespaces\/([^/]+)\/virtualmachineinstances\/([^/]+)\/(console|vnc)(\?|$)/.exec(
        req.url ?? "",
      );
    if (!fromFrontProxy(req) || !m) return refuse(404, "Not Found");
    const [, ns, name, kind] = m as unknown as [string, string, string, "vnc" | "console"];
    void (async () => {
      // KubeVirt decides on the VMI, not on whether a guest is reachable (pkg/virt-api/rest/console.go,
      // validateVMIForConsole, and vnc.go, validateVMIForVNC): no VMI is 404, a Failed one 409 for the
      // console, and any phase but Running 400 "VMI is not running" (vmi.IsRunning()).
      const vmi = await rawRequest(
        kc,
        "GET",
        `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${name}`,
      );
      if (vmi.status === 404) return refuse(404, `virtualmachineinstance.kubevirt.io "${name}" not found`);
      if (vmi.status !== 200) return refuse(500, `reading VMI ${name}: ${vmi.status} ${vmi.text}`);
      const phase = (vmi.body as { status?: { phase?: string } }).status?.phase;
      if (kind === "console" && phase === "Failed") {
        return refuse(
          409,
          `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${name}": VMI is in failed status`,
        );
      }
      if (phase !== "Running") return refuse(400, "VMI is not running");
      const path = backends.get(`${ns}/${name}`)?.[kind];
      // Running, but no QEMU attached by the test: where virt-api would fail to reach virt-handler.
      if (!path) return refuse(500, `no ${kind} attached to the simulated VMI ${ns}/${name}`);
      wss.handleUpgrade(req, socket, head, (ws) => {
        const unix = connect(path);
        ws.on("message", (data: Buffer) => unix.write(data));
        unix.on("data", (chunk: Buffer) => ws.send(chunk, { binary: true }));
        unix.on("close", () => ws.close());
        unix.on("error", () => ws.close());
        ws.on("close", () => unix.destroy());
      });
    })().catch((e) => refuse(500, String(e)));
  });
  await new Promise<void>((res, rej) => {
    server.once("error", rej);
    server.listen(0, address, () => res());
  });
  const port = (server.address() as AddressInfo).port;
  const caBundle = readFileSync(join(pki, "ca.crt")).toString("base64");

  const must = async (method: string, path: string, body?: unknown, ok = [200, 201]) => {
    const r = await rawRequest(kc, method, path, body);
    if (!ok.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r;
  };
  await must("POST", `/api/v1/namespaces/${SERVICE_NS}/services`, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: SERVICE_NAME, namespace: SERVICE_NS },
    spec: { ports: [{ name: "https", port: 443, targetPort: port, protocol: "TCP" }] },
  });
  await must("POST", `/apis/discovery.k8s.io/v1/namespaces/${SERVICE_NS}/endpointslices`, {
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
  for (const g of GROUPS) {
    await must("POST", "/apis/apiregistration.k8s.io/v1/apiservices", {
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: `${g.version}.${g.group}` },
      spec: {
        group: g.group,
        version: g.version,
        service: { namespace: SERVICE_NS, name: SERVICE_NAME, port: 443 },
        caBundle,
        groupPriorityMinimum: 1000,
        versionPriority: 15,
      },
    });
  }
  // Wait until the aggregator reports both APIServices Available.
  const deadline = Date.now() + 30_000;
  for (const g of GROUPS) {
    for (;;) {
      const r = await must("GET", `/apis/apiregistration.k8s.io/v1/apiservices/${g.version}.${g.group}`);
      const conds = (
        r.body as { status?: { conditions?: { type: string; status: string; message?: string }[] } }
      ).status?.conditions;
      const available = conds?.find((c) => c.type === "Available");
      if (available?.status === "True") break;
      if (Date.now() > deadline)
        throw new Error(`APIService ${g.version}.${g.group} not Available: ${available?.message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    url: `https://${address}:${port}`,
    requests,
    backends,
    async stop() {
      for (const g of GROUPS) {
        await must(
          "DELETE",
          `/apis/apiregistration.k8s.io/v1/apiservices/${g.version}.${g.group}`,
          undefined,
          [200, 404],
        );
      }
      await must(
        "DELETE",
        `/apis/discovery.k8s.io/v1/namespaces/${SERVICE_NS}/endpointslices/${SERVICE_NAME}-1`,
        undefined,
        [200, 404],
      );
      await must(
        "DELETE",
        `/api/v1/namespaces/${SERVICE_NS}/services/${SERVICE_NAME}`,
        undefined,
        [200, 404],
      );
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}

/** The aggregator authenticates with the front-proxy client certificate. */
function fromFrontProxy(req: IncomingMessage): boolean {
  const socket = req.socket as TLSSocket;
  return socket.authorized && socket.getPeerCertificate()?.subject?.CN === "front-proxy-client";
}

async function handle(req: IncomingMessage, res: ServerResponse, sim: Simulator): Promise<void> {
  if (!fromFrontProxy(req)) {
    reply(res, 401, status(401, "Unauthorized"));
    return;
  }
  const url = new URL(req.url ?? "/", "https://sim");
  const path = url.pathname.replace(/\/$/, "");
  if (req.method === "GET" && path === "/apis") {
    reply(res, 200, {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: GROUPS.map((g) => ({
        name: g.group,
        versions: [{ groupVersion: `${g.group}/${g.version}`, version: g.version }],
        preferredVersion: { groupVersion: `${g.group}/${g.version}`, version: g.version },
      })),
    });
    return;
  }
  for (const g of GROUPS) {
    if (req.method === "GET" && path === `/apis/${g.group}/${g.version}`) {
      reply(res, 200, {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: `${g.group}/${g.version}`,
        resources: g.resources.map((r) => ({ ...r, namespaced: true, singularName: "" })),
      });
      return;
    }
  }
  const vm =
    /^\/apis\/subresources\.kubevirt\.io\/v1\/namespaces\/([^/]+)\/virtualmachines\/([^/]+)\/(start|stop|restart)$/.exec(
      path,
    );
  if (vm && req.method === "PUT") {
    const [, ns = "", name = "", verb] = vm;
    try {
      if (verb === "start") await sim.start(ns, name);
      else if (verb === "stop") await sim.stop(ns, name);
      else await sim.restart(ns, name);
      res.writeHead(202).end();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const code = /not found/.test(message) ? 404 : 409;
      reply(res, code, status(code, message));
    }
    return;
  }
  const upload =
    /^\/apis\/upload\.cdi\.kubevirt\.io\/v1beta1\/namespaces\/([^/]+)\/uploadtokenrequests$/.exec(path);
  if (upload && req.method === "POST") {
    const body = JSON.parse(await readBody(req)) as {
      metadata?: { name?: string };
      spec?: { pvcName?: string };
    };
    if (!body.spec?.pvcName) {
      reply(res, 422, status(422, "spec.pvcName: Required value"));
      return;
    }
    reply(res, 201, {
      apiVersion: "upload.cdi.kubevirt.io/v1beta1",
      kind: "UploadTokenRequest",
      metadata: { name: body.metadata?.name ?? "token", namespace: upload[1] },
      spec: { pvcName: body.spec.pvcName },
      status: { token: `sim-upload-token-${upload[1]}-${body.spec.pvcName}` },
    });
    return;
  }
  reply(res, 404, status(404, `the simulated aggregated API has no ${req.method} ${path}`));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => res(Buffer.concat(chunks).toString("utf8")));
    req.on("error", rej);
  });
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  409: "Conflict",
  500: "Internal Server Error",
};

function status(code: number, message: string): unknown {
  const reason =
    { 400: "BadRequest", 401: "Unauthorized", 404: "NotFound", 409: "Conflict", 422: "Invalid" }[code] ??
    "InternalError";
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

function reply(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}
