// A small Kubernetes API client for the ISO and console commands: namespace choice and raw JSON requests
// (any path, JSON patch, subresources) with the kubeconfig's own credentials (token or client certificate,
// its CA), plus the same TLS options for WebSockets. To be folded into client.ts.
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** --namespace, else the lab's namespace, else the kubeconfig context's, else "default". */
export function chooseNamespace(kc: KubeConfig, flag?: string, labNamespace?: string): string {
  if (flag) return flag;
  if (labNamespace) return labNamespace;
  const context = kc.getContextObject(kc.getCurrentContext());
  return context?.namespace ?? "default";
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface RequestParams {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string>;
}

export class KubeApi {
  constructor(readonly kc: KubeConfig) {}

  get server(): string {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");
    return cluster.server;
  }

  /** TLS and auth options for any request to the API server (HTTPS or WebSocket). */
  async connectionOptions(): Promise<RequestOptions> {
    const opts: RequestOptions = { headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    return opts;
  }

  async request<T>(method: string, path: string, params: RequestParams = {}): Promise<T> {
    const url = new URL(path, this.server);
    for (const [key, value] of Object.entries(params.query ?? {})) url.searchParams.set(key, value);
    const payload = params.body === undefined ? undefined : JSON.stringify(params.body);
    const opts = await this.connectionOptions();
    opts.method = method;
    opts.headers = {
      ...opts.headers,
      Accept: "application/json",
      ...(payload !== undefined
        ? {
            "Content-Type": params.contentType ?? "application/json",
            "Content-Length": Buffer.byteLength(payload),
          }
        : {}),
    };
    return new Promise<T>((resolve, reject) => {
      const req = httpsRequest(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text for the message
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve(body as T);
            return;
          }
          const failure = (typeof body === "object" && body ? body : {}) as {
            message?: string;
            reason?: string;
          };
          reject(
            new ApiError(
              status,
              failure.message ?? `${method} ${url.pathname}: HTTP ${status} ${text}`,
              failure.reason,
            ),
          );
        });
      });
      req.on("error", reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** GET that answers undefined for 404. */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>("GET", path);
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return undefined;
      throw error;
    }
  }
}
