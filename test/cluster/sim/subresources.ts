/**
 * A stand-in for KubeVirt's vnc and console subresources (test code only): WebSocket over HTTPS on
 * loopback with the `plain.kubevirt.io` subprotocol, requiring the caller's bearer token, bridging each
 * connection to the unix socket of a real QEMU's VNC server or serial port, as virt-handler bridges to
 * virt-launcher. gpuvm reaches it through its test-only subresource base URL.
 */
import { createServer, type Server } from "node:https";
import { type AddressInfo, connect } from "node:net";
import { WebSocketServer } from "ws";
import type { ServingCert } from "./tls.js";

export interface Backend {
  vnc?: string;
  console?: string;
}

export interface SubresourceServer {
  url: string;
  /** namespace/name → sockets of the VMI's current QEMU (delete or replace on "reboot"). */
  backends: Map<string, Backend>;
  /** Connections bridged so far, as "kind namespace/name". */
  readonly connections: string[];
  close(): Promise<void>;
}

export async function startSubresourceServer(
  tls: ServingCert,
  bearerToken: string,
): Promise<SubresourceServer> {
  const backends = new Map<string, Backend>();
  const connections: string[] = [];
  const server: Server = createServer({ key: tls.key, cert: tls.cert });
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has("plain.kubevirt.io") ? "plain.kubevirt.io" : false),
  });
  server.on("upgrade", (req, socket, head) => {
    const refuse = (status: number, message: string) => {
      socket.end(
        `HTTP/1.1 ${status} ${message}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}`,
      );
    };
    if (req.headers.authorization !== `Bearer ${bearerToken}`) return refuse(401, "Unauthorized");
    const m =
      /^\/apis\/subresources\.kubevirt\.io\/v1\/namespaces\/([^/]+)\/virtualmachineinstances\/([^/]+)\/(vnc|console)$/.exec(
        req.url ?? "",
      );
    if (!m) return refuse(404, "Not Found");
    const [, ns, name, kind] = m as unknown as [string, string, string, "vnc" | "console"];
    const path = backends.get(`${ns}/${name}`)?.[kind];
    // KubeVirt's wording for a VMI that is not running.
    if (!path) return refuse(400, `Bad Request: VMI ${name} is not running`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      connections.push(`${kind} ${ns}/${name}`);
      const unix = connect(path);
      ws.on("message", (data: Buffer) => unix.write(data));
      unix.on("data", (chunk: Buffer) => ws.send(chunk, { binary: true }));
      unix.on("close", () => ws.close());
      unix.on("error", () => ws.close());
      ws.on("close", () => unix.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    backends,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
