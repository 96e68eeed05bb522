/** The HTTP side of the simulated aggregated server: who may call it, and answers in Kubernetes' shape. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";

/** The aggregator authenticates with the front-proxy client certificate. */
export function fromFrontProxy(req: IncomingMessage): boolean {
  const socket = req.socket as TLSSocket;
  return socket.authorized && socket.getPeerCertificate()?.subject?.CN === "front-proxy-client";
}

export const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  409: "Conflict",
  500: "Internal Server Error",
};

export function status(code: number, message: string): unknown {
  const reason =
    { 400: "BadRequest", 401: "Unauthorized", 404: "NotFound", 409: "Conflict", 422: "Invalid" }[code] ??
    "InternalError";
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

export function reply(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => res(Buffer.concat(chunks).toString("utf8")));
    req.on("error", rej);
  });
}
