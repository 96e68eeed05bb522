// Opens KubeVirt's vnc or console subresource of a VMI as a WebSocket through the API server, with the
// kubeconfig's credentials and CA: the path virtctl uses, so RBAC on the subresource applies as usual.
import WebSocket from "ws";
import { GpuvmError } from "../../errors.js";
import type { KubeClient } from "../client.js";
import { RBAC_ADVICE, serverText } from "../errors.js";

/** virtctl's subprotocol: raw bytes in binary frames, no channel prefix. */
export const PLAIN_PROTOCOL = "plain.kubevirt.io";

export type Subresource = "vnc" | "console";

/** The API server or KubeVirt refused the connection, or it broke; the message is the server's, made safe. */
export class SubresourceError extends GpuvmError {
  constructor(
    message: string,
    readonly status?: number,
    hint?: string,
  ) {
    super(message, hint ? { hint } : {});
  }
}

export function subresourceUrl(base: string, ns: string, vmi: string, kind: Subresource): string {
  const url = new URL(
    `/apis/subresources.kubevirt.io/v1/namespaces/${encodeURIComponent(ns)}/virtualmachineinstances/${encodeURIComponent(vmi)}/${kind}`,
    base,
  );
  url.protocol = url.protocol === "http:" ? "ws:" : "wss:";
  return url.toString();
}

export interface OpenOptions {
  api: KubeClient;
  namespace: string;
  vmi: string;
  kind: Subresource;
}

export async function openSubresource(opts: OpenOptions): Promise<WebSocket> {
  const connection = await opts.api.connectionOptions();
  const url = subresourceUrl(opts.api.server, opts.namespace, opts.vmi, opts.kind);
  const socket = new WebSocket(url, [PLAIN_PROTOCOL], {
    ...(connection.ca ? { ca: connection.ca } : {}),
    ...(connection.cert ? { cert: connection.cert } : {}),
    ...(connection.key ? { key: connection.key } : {}),
    ...(connection.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    headers: connection.headers as Record<string, string>,
    handshakeTimeout: 20_000,
    perMessageDeflate: false,
  });
  return new Promise<WebSocket>((resolve, reject) => {
    socket.once("open", () => resolve(socket));
    socket.once("unexpected-response", (_req, res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let message = text.trim();
        try {
          const said = (JSON.parse(text) as { message?: unknown }).message;
          if (typeof said === "string") message = said;
        } catch {
          // plain text answer
        }
        socket.terminate();
        const code = res.statusCode ?? 0;
        reject(
          new SubresourceError(
            `${opts.kind} of ${opts.namespace}/${opts.vmi}: HTTP ${code} ${serverText(message)}`,
            code,
            code === 403
              ? `your Kubernetes user needs get on virtualmachineinstances/${opts.kind} in subresources.kubevirt.io (${RBAC_ADVICE})`
              : undefined,
          ),
        );
      });
    });
    socket.once("error", (error) =>
      // ws and Node name the URL and sometimes the headers: serverText takes credentials out.
      reject(
        new SubresourceError(`${opts.kind} of ${opts.namespace}/${opts.vmi}: ${serverText(error.message)}`),
      ),
    );
  });
}

/** Pipes a TCP-like duplex to an open subresource socket both ways, with back-pressure. */
export function bridge(
  socket: WebSocket,
  stream: NodeJS.ReadWriteStream & { destroy(): void; end(): void },
  onClose?: () => void,
): void {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    stream.end();
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close();
    onClose?.();
  };
  socket.on("message", (data: Buffer) => {
    if (!stream.write(data)) {
      socket.pause();
      stream.once("drain", () => socket.resume());
    }
  });
  stream.on("data", (chunk: Buffer) => {
    socket.send(chunk, { binary: true });
    if (socket.bufferedAmount > 4 * 1024 * 1024) {
      stream.pause();
      const wait = setInterval(() => {
        if (socket.bufferedAmount < 1024 * 1024 || socket.readyState !== WebSocket.OPEN) {
          clearInterval(wait);
          stream.resume();
        }
      }, 5);
    }
  });
  socket.on("close", close);
  socket.on("error", close);
  stream.on("end", close);
  stream.on("error", close);
  stream.on("close", close);
}
