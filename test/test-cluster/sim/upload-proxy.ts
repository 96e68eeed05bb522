/**
 * A stand-in for CDI's upload proxy (test code only): HTTPS on loopback, `/v1beta1/upload` (sync) and,
 * when enabled, `/v1beta1/upload-async` (HEAD answers 200, as CDI's does). It accepts a bearer token only
 * if `tokenValid` says so, hashes what it receives, and can drop the connection once mid-way. A complete
 * upload finishes the DataVolume through the KubeVirt/CDI simulator, as the real upload server would.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { servingCert } from "./tls.js";

export interface ReceivedUpload {
  namespace: string;
  name: string;
  bytes: number;
  sha256: string;
  complete: boolean;
  path: string;
}

export interface UploadProxyOptions {
  /** Resolves a token to the volume it grants (undefined: refuse with 401). */
  tokenValid: (token: string) => { namespace: string; name: string } | undefined;
  /** Called once a body arrived in full (finish the DataVolume). */
  onComplete: (namespace: string, name: string) => Promise<void>;
  async?: boolean;
  /** Drop the connection after this many bytes of the first upload (simulates a proxy restart). */
  dropOnceAfter?: number;
  /** Answer the first upload with this status instead (502/503: a gateway in trouble). */
  failOnceWith?: number;
  /** DNS names the certificate carries besides localhost (the service name a port-forward checks). */
  names?: string[];
}

export interface UploadProxy {
  url: string;
  /** CA to trust (publish it as CDI's signer bundle). */
  ca: string;
  readonly uploads: ReceivedUpload[];
  close(): Promise<void>;
}

type Volume = { namespace: string; name: string };
/** Each of dropOnceAfter and failOnceWith strikes the first upload only. */
type Once = { dropped: boolean; failed: boolean };

export async function startUploadProxy(opts: UploadProxyOptions): Promise<UploadProxy> {
  const tls = servingCert(undefined, opts.names ?? []);
  const uploads: ReceivedUpload[] = [];
  const once: Once = { dropped: false, failed: false };
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const target = admit(req, res, opts, path);
    if (!target) return;
    if (opts.failOnceWith && !once.failed) {
      once.failed = true;
      req.resume();
      return void res.writeHead(opts.failOnceWith).end("upstream unavailable");
    }
    const record: ReceivedUpload = { ...target, bytes: 0, sha256: "", complete: false, path };
    uploads.push(record);
    receive(req, res, opts, record, once);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    ca: tls.ca,
    uploads,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The volume a POST to an upload path with a valid token writes; else answers and returns undefined. */
function admit(
  req: IncomingMessage,
  res: ServerResponse,
  opts: UploadProxyOptions,
  path: string,
): Volume | undefined {
  const isAsync = path === "/v1beta1/upload-async";
  if (path !== "/v1beta1/upload" && !(isAsync && opts.async)) return void res.writeHead(404).end("not found");
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  const target = token ? opts.tokenValid(token) : undefined;
  if (!target) {
    res.writeHead(401).end("invalid token");
    return void req.resume();
  }
  if (req.method === "HEAD") return void res.writeHead(200).end();
  if (req.method !== "POST") return void res.writeHead(405).end();
  return target;
}

/** Hashes the body into `record`; a complete one finishes the DataVolume. */
function receive(
  req: IncomingMessage,
  res: ServerResponse,
  opts: UploadProxyOptions,
  record: ReceivedUpload,
  once: Once,
) {
  const hash = createHash("sha256");
  const expected = Number(req.headers["content-length"] ?? -1);
  req.on("data", (chunk: Buffer) => {
    hash.update(chunk);
    record.bytes += chunk.length;
    if (opts.dropOnceAfter !== undefined && !once.dropped && record.bytes >= opts.dropOnceAfter) {
      once.dropped = true;
      req.socket.destroy();
    }
  });
  req.on("end", () => {
    record.sha256 = hash.digest("hex");
    record.complete = record.bytes === expected;
    if (!record.complete) return void res.writeHead(400).end("short body");
    opts.onComplete(record.namespace, record.name).then(
      () => res.writeHead(200).end(),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
}
