/**
 * A stand-in for CDI's upload proxy (test code only): HTTPS on loopback, `/v1beta1/upload` (sync) and,
 * when enabled, `/v1beta1/upload-async` (HEAD answers 200, as CDI's does). It accepts a bearer token only
 * if `tokenValid` says so, hashes what it receives, and can drop the connection once mid-way. A complete
 * upload finishes the DataVolume through the KubeVirt/CDI simulator, as the real upload server would.
 */
import { createHash } from "node:crypto";
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

export async function startUploadProxy(opts: UploadProxyOptions): Promise<UploadProxy> {
  const tls = servingCert(undefined, opts.names ?? []);
  const uploads: ReceivedUpload[] = [];
  let dropped = false;
  let failed = false;
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const isAsync = path === "/v1beta1/upload-async";
    if (path !== "/v1beta1/upload" && !(isAsync && opts.async)) {
      res.writeHead(404).end("not found");
      return;
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const target = token ? opts.tokenValid(token) : undefined;
    if (!target) {
      res.writeHead(401).end("invalid token");
      req.resume();
      return;
    }
    if (req.method === "HEAD") {
      res.writeHead(200).end();
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    if (opts.failOnceWith && !failed) {
      failed = true;
      req.resume();
      res.writeHead(opts.failOnceWith).end("upstream unavailable");
      return;
    }
    const record: ReceivedUpload = { ...target, bytes: 0, sha256: "", complete: false, path };
    uploads.push(record);
    const hash = createHash("sha256");
    const expected = Number(req.headers["content-length"] ?? -1);
    req.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      record.bytes += chunk.length;
      if (opts.dropOnceAfter !== undefined && !dropped && record.bytes >= opts.dropOnceAfter) {
        dropped = true;
        req.socket.destroy();
      }
    });
    req.on("end", () => {
      record.sha256 = hash.digest("hex");
      record.complete = record.bytes === expected;
      if (!record.complete) {
        res.writeHead(400).end("short body");
        return;
      }
      opts.onComplete(target.namespace, target.name).then(
        () => res.writeHead(200).end(),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
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
