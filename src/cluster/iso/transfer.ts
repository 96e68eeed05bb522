// Streams one file to CDI's upload proxy: constant memory (four reused buffers, file-body.ts) and whole-file
// retries on transient failures (CDI's upload server takes a fresh upload
// after a failed one; it cannot resume mid-way). The SHA-256 is taken of the very chunks that are sent.

import { request as httpsRequest, type RequestOptions } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { checkServerIdentity } from "node:tls";
import { GpuvmError } from "../../errors.js";
import { serverText } from "../errors.js";
import { writeFileBody } from "./file-body.js";

export const UPLOAD_PATH = "/v1beta1/upload";
export const UPLOAD_ASYNC_PATH = "/v1beta1/upload-async";

/** How to reach the upload proxy: its base URL and the TLS trust for it. */
export interface ProxyEndpoint {
  url: string;
  ca?: (string | Buffer)[];
  /** Name the certificate must carry when `url` names another host (a port-forward to 127.0.0.1). */
  servername?: string;
}

/** A failure worth sending the file again for (the proxy was busy, the connection dropped). */
export class TransientUploadError extends GpuvmError {}

const SEND_IDLE_TIMEOUT_MS = 60_000;

const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EAI_AGAIN",
]);

function tlsOptions(endpoint: ProxyEndpoint): RequestOptions {
  const opts: RequestOptions = {};
  if (endpoint.ca) opts.ca = endpoint.ca;
  if (endpoint.servername) {
    const servername = endpoint.servername;
    opts.servername = servername;
    // Checks the certificate against the service name the port-forward stands in for.
    opts.checkServerIdentity = (_host, cert) => checkServerIdentity(servername, cert);
  }
  return opts;
}

/** virtctl's discovery: the async endpoint exists when a HEAD to it answers 200. */
export async function supportsAsync(endpoint: ProxyEndpoint, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsRequest(new URL(UPLOAD_ASYNC_PATH, endpoint.url), {
      ...tlsOptions(endpoint),
      method: "HEAD",
      headers: { Authorization: `Bearer ${token}` },
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.setTimeout(15_000, () => req.destroy());
    req.end();
  });
}

export interface SendOptions {
  path: string;
  size: number;
  endpoint: ProxyEndpoint;
  token: string;
  async: boolean;
  onProgress?: (sent: number) => void;
}

/** A socket-level failure of the upload stream (reset, refused, hung up): a fresh attempt may succeed. */
function connectionDropped(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code && TRANSIENT_CODES.has(code)) return true;
  return error instanceof Error && /socket hang up|aborted|premature close/i.test(error.message);
}

/**
 * One attempt; resolves to the SHA-256 of the bytes the proxy took in full, throws TransientUploadError
 * when worth retrying.
 */
export async function sendOnce(opts: SendOptions): Promise<string> {
  let sent = 0;
  let sha256 = "";
  const req = httpsRequest(new URL(opts.async ? UPLOAD_ASYNC_PATH : UPLOAD_PATH, opts.endpoint.url), {
    ...tlsOptions(opts.endpoint),
    method: "POST",
    headers: {
      // The token is scoped to this one volume and never printed.
      Authorization: `Bearer ${opts.token}`,
      "Content-Type": "application/octet-stream",
      "Content-Length": String(opts.size),
    },
  });
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
  });
  response.catch(() => undefined); // awaited below, once the body is out; a failure meanwhile is judged there
  try {
    // Silence while sending means a dead connection; the answer after the last byte may take longer.
    req.setTimeout(SEND_IDLE_TIMEOUT_MS, () =>
      req.destroy(new TransientUploadError(`no progress for ${SEND_IDLE_TIMEOUT_MS / 1000} s`)),
    );
    sha256 = await writeFileBody(req, opts.path, opts.size, (written) => {
      sent = written;
      opts.onProgress?.(sent);
    });
    req.setTimeout(0);
    req.end();
    await response;
  } catch (error) {
    req.destroy();
    // A server that answers early (401, 400) closes the socket mid-body: prefer its answer to EPIPE.
    const early = await Promise.race([response.catch(() => undefined), sleep(50)]);
    if (early && typeof early === "object") {
      judge(early as { status: number; text: string }, sent, opts);
      if (sha256) return sha256;
    }
    if (error instanceof TransientUploadError) throw error;
    if (connectionDropped(error)) throw new TransientUploadError((error as Error).message);
    throw error;
  }
  judge(await response, sent, opts);
  return sha256;
}

function judge(res: { status: number; text: string }, sent: number, opts: SendOptions): void {
  if (res.status === 200) {
    if (sent !== opts.size) throw new TransientUploadError(`sent ${sent} of ${opts.size} bytes`);
    return;
  }
  const detail = serverText(res.text);
  if (TRANSIENT_STATUS.has(res.status))
    throw new TransientUploadError(`upload proxy answered ${res.status} ${detail}`);
  throw new GpuvmError(`upload proxy refused the upload: HTTP ${res.status}${detail ? `: ${detail}` : ""}`);
}
