// The path-level API the ISO and console commands use: requests to any path
// (subresources, aggregated APIs, JSON patches) through KubeClient, and the kubeconfig's TLS and
// credentials for the WebSocket connections KubeClient does not make.
import type { RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeClient } from "./client.js";
import { ClusterError } from "./errors.js";

/** A refusal by the API server: its HTTP code, its message and its reason. */
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
    return opts;
  }

  async request<T>(method: string, path: string, params: RequestParams = {}): Promise<T> {
    try {
      return await this.client.request<T>(method, path, params);
    } catch (error) {
      if (error instanceof ClusterError) {
        throw new ApiError(error.code, error.serverMessage || error.message, error.reason || undefined);
      }
      throw error;
    }
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
