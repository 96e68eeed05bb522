/**
 * virt-api's console and vnc subresources: a WebSocket upgrade (`plain.kubevirt.io`) bridged to the
 * unix socket of the VMI's QEMU that a test attached, as virt-handler bridges to virt-launcher.
 */
import type { IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node";
import { type WebSocket, WebSocketServer } from "ws";
import { rawRequest } from "../harness.js";
import { fromFrontProxy, STATUS_TEXT, status } from "./http.js";

export interface Backend {
  vnc?: string;
  console?: string;
}

type Refusal = { code: number; message: string };
const PATH =
  /^\/apis\/subresources\.kubevirt\.io\/v1\/namespaces\/([^/]+)\/virtualmachineinstances\/([^/]+)\/(console|vnc)(\?|$)/;

export function consoleServer(kc: KubeConfig, backends: Map<string, Backend>) {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has("plain.kubevirt.io") ? "plain.kubevirt.io" : false),
  });
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const m = PATH.exec(req.url ?? "");
    if (!fromFrontProxy(req) || !m) return refuse(socket, { code: 404, message: "Not Found" });
    const [, ns, name, kind] = m as unknown as [string, string, string, "vnc" | "console"];
    void refusal(kc, backends, ns, name, kind)
      .then((why) => {
        if (typeof why !== "string") return refuse(socket, why);
        wss.handleUpgrade(req, socket, head, (ws) => bridge(ws, connect(why)));
      })
      .catch((e) => refuse(socket, { code: 500, message: String(e) }));
  };
  return { wss, upgrade };
}

/** Refusals as KubeVirt's virt-api writes them: a JSON Status with the HTTP code. */
function refuse(socket: Duplex, { code, message }: Refusal): void {
  const body = JSON.stringify(status(code, message));
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_TEXT[code] ?? "Error"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The backend's socket path, or why KubeVirt would refuse the connection. */
async function refusal(
  kc: KubeConfig,
  backends: Map<string, Backend>,
  ns: string,
  name: string,
  kind: "vnc" | "console",
): Promise<string | Refusal> {
  // KubeVirt decides on the VMI, not on whether a guest is reachable (pkg/virt-api/rest/console.go,
  // validateVMIForConsole, and vnc.go, validateVMIForVNC): no VMI is 404, a Failed one 409 for the
  // console, and any phase but Running 400 "VMI is not running" (vmi.IsRunning()).
  const vmi = await rawRequest(
    kc,
    "GET",
    `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${name}`,
  );
  if (vmi.status === 404)
    return { code: 404, message: `virtualmachineinstance.kubevirt.io "${name}" not found` };
  if (vmi.status !== 200) return { code: 500, message: `reading VMI ${name}: ${vmi.status} ${vmi.text}` };
  const phase = (vmi.body as { status?: { phase?: string } }).status?.phase;
  if (kind === "console" && phase === "Failed") {
    const message = `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${name}": VMI is in failed status`;
    return { code: 409, message };
  }
  if (phase !== "Running") return { code: 400, message: "VMI is not running" };
  // Running, but no QEMU attached by the test: where virt-api would fail to reach virt-handler.
  return (
    backends.get(`${ns}/${name}`)?.[kind] ?? {
      code: 500,
      message: `no ${kind} attached to the simulated VMI ${ns}/${name}`,
    }
  );
}

function bridge(ws: WebSocket, unix: Socket): void {
  ws.on("message", (data: Buffer) => unix.write(data));
  unix.on("data", (chunk: Buffer) => ws.send(chunk, { binary: true }));
  unix.on("close", () => ws.close());
  unix.on("error", () => ws.close());
  ws.on("close", () => unix.destroy());
}
