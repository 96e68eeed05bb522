/**
 * A stand-in kubelet that serves port-forward only (test code only): a Node whose kubelet endpoint is
 * this HTTPS server, on the host end of the test cluster's veth pair. kube-apiserver proxies a client's
 * WebSocket port-forward (`v4.channel.k8s.io`: per port a data and an error channel, each opened with the
 * port number) to `/portForward/{namespace}/{pod}` here, as it does to a real kubelet; each connection is
 * bridged to the TCP address `target` names for the pod and port.
 */
import type { IncomingMessage } from "node:http";
import { createServer } from "node:https";
import { type AddressInfo, connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node";
import { type WebSocket, WebSocketServer } from "ws";
import type { ClusterInfo } from "../harness.js";
import { rawRequest } from "../harness.js";
import { servingCert } from "./tls.js";

const PROTOCOL = "v4.channel.k8s.io";

export interface Kubelet {
  nodeName: string;
  /** Port-forwards served, as "namespace/pod:port". */
  readonly forwards: string[];
  stop(): Promise<void>;
}

type Target = (namespace: string, pod: string, port: number) => { host: string; port: number } | undefined;

export async function startKubelet(
  kc: KubeConfig,
  cluster: ClusterInfo,
  nodeName: string,
  target: Target,
): Promise<Kubelet> {
  if (!cluster.aggregation) throw new Error("the test cluster has no veth address for a kubelet");
  const address = cluster.aggregation.hostAddress;
  const tls = servingCert(undefined, [], [address]);
  const forwards: string[] = [];
  const server = createServer({ key: tls.key, cert: tls.cert });
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "https://kubelet");
    const m = /^\/portForward\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const port = Number(url.searchParams.get("port") ?? url.searchParams.get("ports"));
    const to = m ? target(m[1] as string, m[2] as string, port) : undefined;
    if (!m || !to) return void socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
    wss.handleUpgrade(req, socket, head, (ws) => {
      forwards.push(`${m[1]}/${m[2]}:${port}`);
      forward(ws, port, connect(to.port, to.host));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, address, () => resolve()));
  await registerNode(kc, nodeName, address, (server.address() as AddressInfo).port);
  return {
    nodeName,
    forwards,
    async stop() {
      await rawRequest(kc, "DELETE", `/api/v1/nodes/${nodeName}`);
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One forwarded port over the channel protocol: data on channel 0 both ways, channel 1 for errors. */
function forward(ws: WebSocket, port: number, tcp: Socket): void {
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16LE(port);
  // Each channel opens with the port it serves: data (0), then error (1).
  ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
  ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
  tcp.on("data", (chunk: Buffer) => ws.send(Buffer.concat([Buffer.from([0]), chunk])));
  ws.on("message", (data: Buffer) => {
    if (data[0] === 0 && data.length > 1) tcp.write(data.subarray(1));
  });
  tcp.on("close", () => ws.close());
  tcp.on("error", () => ws.close());
  ws.on("close", () => tcp.destroy());
}

/** A Ready Node whose kubelet endpoint is this server, so kube-apiserver proxies port-forwards here. */
async function registerNode(kc: KubeConfig, nodeName: string, address: string, port: number): Promise<void> {
  const node = await rawRequest(kc, "POST", "/api/v1/nodes", {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: nodeName },
  });
  if (node.status >= 300) throw new Error(`POST /api/v1/nodes: ${node.status} ${node.text}`);
  const status = {
    addresses: [{ type: "InternalIP", address }],
    daemonEndpoints: { kubeletEndpoint: { Port: port } },
    conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "stand-in" }],
  };
  const path = `/api/v1/nodes/${nodeName}/status`;
  const patched = await rawRequest(
    kc,
    "PATCH",
    path,
    JSON.stringify({ status }),
    "application/merge-patch+json",
  );
  if (patched.status >= 300) throw new Error(`PATCH ${path}: ${patched.status} ${patched.text}`);
}
