/**
 * A stand-in kubelet that serves port-forward only (test code only): a Node whose kubelet endpoint is
 * this HTTPS server, on the host end of the test cluster's veth pair. kube-apiserver proxies a client's
 * WebSocket port-forward (`v4.channel.k8s.io`: per port a data and an error channel, each opened with the
 * port number) to `/portForward/{namespace}/{pod}` here, as it does to a real kubelet; each connection is
 * bridged to the TCP address `target` names for the pod and port.
 */
import { createServer } from "node:https";
import { type AddressInfo, connect } from "node:net";
import type { KubeConfig } from "@kubernetes/client-node";
import { WebSocketServer } from "ws";
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

export async function startKubelet(
  kc: KubeConfig,
  cluster: ClusterInfo,
  nodeName: string,
  target: (namespace: string, pod: string, port: number) => { host: string; port: number } | undefined,
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
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "https://kubelet");
    const m = /^\/portForward\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const port = Number(url.searchParams.get("port") ?? url.searchParams.get("ports"));
    const to = m ? target(m[1] as string, m[2] as string, port) : undefined;
    if (!m || !to) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      forwards.push(`${m[1]}/${m[2]}:${port}`);
      const portBytes = Buffer.alloc(2);
      portBytes.writeUInt16LE(port);
      // Each channel opens with the port it serves: data (0), then error (1).
      ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
      ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
      const tcp = connect(to.port, to.host);
      tcp.on("data", (chunk: Buffer) => ws.send(Buffer.concat([Buffer.from([0]), chunk])));
      ws.on("message", (data: Buffer) => {
        if (data[0] === 0 && data.length > 1) tcp.write(data.subarray(1));
      });
      tcp.on("close", () => ws.close());
      tcp.on("error", () => ws.close());
      ws.on("close", () => tcp.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, address, () => resolve()));
  const { port } = server.address() as AddressInfo;

  const must = async (method: string, path: string, body: unknown, type?: string) => {
    const r = await rawRequest(
      kc,
      method,
      path,
      type ? JSON.stringify(body) : body,
      type ?? "application/json",
    );
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  };
  await must("POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: nodeName } });
  await must(
    "PATCH",
    `/api/v1/nodes/${nodeName}/status`,
    {
      status: {
        addresses: [{ type: "InternalIP", address }],
        daemonEndpoints: { kubeletEndpoint: { Port: port } },
        conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "stand-in" }],
      },
    },
    "application/merge-patch+json",
  );
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
