// The path-level API the ISO and console commands use: requests to any path
// (subresources, aggregated APIs, JSON patches) through KubeClient, and the kubeconfig's TLS and
// credentials for the WebSocket connections KubeClient does not make.
import type { RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeClient } from "./client.js";
import { ClusterError } from "./errors.js";
import { rememberAuthorization, rememberSecret } from "./secrets.js";

/**
 * A refusal by the API server: the same error as KubeClient's, so a 403 keeps both the server's words
 * and the advice to render gpuvm's role, whichever of the two APIs made the request.
 */
export const ApiError = ClusterError;
export type ApiError = ClusterError;

export interface RequestParams {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string>;
}

export class KubeApi {
  private readonly client: KubeClient;

  constructor(readonly kc: KubeConfig) {
    this.client = new KubeClient(kc);
  }

  get server(): string {
    return this.client.server;
  }

  /** TLS and auth options for a connection to the API server that is not a plain request (WebSocket). */
  async connectionOptions(): Promise<RequestOptions> {
    const opts: RequestOptions = { headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    // An exec plugin may answer with a token or a client key only now: messages must never show them.
    rememberAuthorization((opts.headers as Record<string, unknown>).Authorization);
    for (const value of [opts.key, opts.cert]) rememberSecret(value?.toString());
    return opts;
  }

  request<T>(method: string, path: string, params: RequestParams = {}): Promise<T> {
    return this.client.request<T>(method, path, params);
  }

  /** GET that answers undefined for 404. */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>("GET", path);
    } catch (error) {
      if (error instanceof ClusterError && error.notFound) return undefined;
      throw error;
    }
  }
}
