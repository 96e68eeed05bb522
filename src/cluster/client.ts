// The one way gpuvm talks to a cluster: client-node's transport (TLS, credentials and proxies from the
// kubeconfig) with raw JSON bodies, so objects round-trip exactly as the server sends them (client-node's
// typed models would drop fields they do not know and turn timestamps into Dates).

import { Agent as HttpsAgent, type RequestOptions } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import type { Configuration, HttpMethod, KubeConfig } from "@kubernetes/client-node";
import { EXIT, GpuvmError } from "../errors.js";
import type { KubeObject } from "../render/object.js";
import { clientNode } from "./client-node.js";
import { ClusterError, ReplyError, type RequestDescription, serverText, UnreachableError } from "./errors.js";
import { FIELD_MANAGERS } from "./field-managers.js";
import { replyProblem } from "./reply-shapes.js";
import { type ObjectRef, objectPath, qualifiedResource, refOf, resourceFor } from "./resources.js";
import { rememberAuthorization, rememberSecret } from "./secrets.js";

const FIELD_MANAGER = FIELD_MANAGERS.apply;
/** For lifecycle.ts, which writes spec.runStrategy under its own name (see field-managers.ts). */
export const LIFECYCLE_MANAGER = FIELD_MANAGERS.lifecycle;

const MAX_429_ATTEMPTS = 20;

/** A rendered object as the server returns it: the same shape plus the server's metadata. */
export interface KubeObjectJson extends KubeObject {
  metadata: KubeObject["metadata"] & {
    resourceVersion?: string;
    uid?: string;
    [field: string]: unknown;
  };
}

export interface ObjectList<T = KubeObjectJson> {
  items: T[];
  metadata: { resourceVersion?: string };
}

/** One request as sent, for progress and for tests that count what apply really changed. */
export interface RequestRecord {
  method: string;
  path: string;
  dryRun: boolean;
}

export interface ClientOptions {
  onRequest?: (record: RequestRecord) => void;
}

/** client-node's HttpMethod values ("GET", …), usable before the library is loaded. */
type Method = `${HttpMethod}`;

interface Call {
  method: Method;
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  describe: RequestDescription;
}

const VERB: Partial<Record<Method, string>> = {
  POST: "create",
  PUT: "update",
  PATCH: "patch",
  DELETE: "delete",
};

function describe(method: Method, ref: ObjectRef): RequestDescription {
  const info = resourceFor(ref.apiVersion, ref.kind);
  const verb = VERB[method] ?? (ref.name ? "get" : "list");
  return {
    verb,
    resource: qualifiedResource(info.apiVersion, info.plural),
    ...(ref.name ? { name: ref.name } : {}),
    ...(info.namespaced && ref.namespace ? { namespace: ref.namespace } : {}),
  };
}

export class KubeClient {
  readonly server: string;
  private config: Configuration | undefined;
  private agent: HttpsAgent | undefined;

  constructor(
    readonly kc: KubeConfig,
    private readonly options: ClientOptions = {},
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) {
      throw new GpuvmError("the kubeconfig's current context names no cluster", {
        exitCode: EXIT.usage,
        hint: "choose a context that does with --context (kubectl config get-contexts lists them)",
      });
    }
    this.server = cluster.server;
  }

  private async call<T>(call: Call): Promise<T> {
    const { createConfiguration, RequestContext, ServerConfiguration } = await clientNode();
    this.config ??= createConfiguration({
      baseServer: new ServerConfiguration(this.server, {}),
      authMethods: { default: this.kc },
    });
    const url = new URL(call.path, this.server);
    const context = new RequestContext(url.toString(), call.method as HttpMethod);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) context.setQueryParam(name, value);
    }
    context.setHeaderParam("Accept", "application/json");
    if (call.body !== undefined) {
      context.setHeaderParam("Content-Type", call.contentType ?? "application/json");
      context.setBody(JSON.stringify(call.body));
    }
    await this.kc.applySecurityAuthentication(context);
    // An exec plugin's or auth provider's token is known only now: messages must never show it.
    rememberAuthorization(context.getHeaders().Authorization);
    // client-node makes a fresh agent per request, so each request would pay a new TLS handshake;
    // one keep-alive agent with the same TLS options serves them all (proxy agents are left alone).
    const agent = context.getAgent();
    if (agent?.constructor === HttpsAgent) {
      this.agent ??= new HttpsAgent({ ...(agent as HttpsAgent).options, keepAlive: true });
      context.setAgent(this.agent);
    }
    this.options.onRequest?.({
      method: call.method,
      path: call.path,
      dryRun: call.query?.dryRun === "All",
    });
    let status = 0;
    let text = "";
    for (let attempt = 1; ; attempt++) {
      let retryAfter: string | undefined;
      try {
        const response = await this.config.httpApi.send(context).toPromise();
        status = response.httpStatusCode;
        text = await response.body.text();
        retryAfter = response.headers["retry-after"];
      } catch (error) {
        throw new UnreachableError(this.server, error);
      }
      // 429: the server did not process the request (busy, or a cache still filling after a start);
      // it is safe to send again after the pause it asks for.
      if (status !== 429 || attempt >= MAX_429_ATTEMPTS) break;
      const seconds = Number(retryAfter);
      await sleep(Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, 2_000) : 100 * attempt);
    }
    let parsed: unknown;
    let json = true;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
      json = false;
    }
    if (status >= 200 && status < 300) {
      if (!json)
        throw new ReplyError(call.describe, `is not JSON (it starts: ${serverText(text.slice(0, 80))})`);
      if (call.method !== "DELETE") {
        const problem = replyProblem(
          call.describe.resource,
          parsed,
          call.describe.verb === "list" ? "list" : "object",
        );
        if (problem) throw new ReplyError(call.describe, problem);
      }
      return parsed as T;
    }
    const body = (typeof parsed === "object" && parsed !== null ? parsed : {}) as {
      reason?: unknown;
      message?: unknown;
    };
    throw new ClusterError(
      status,
      typeof body.reason === "string" ? body.reason : "",
      typeof body.message === "string" ? body.message : typeof parsed === "string" ? parsed : "",
      call.describe,
    );
  }

  /** The object, or undefined when it does not exist. */
  async get<T = KubeObjectJson>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.call<T>({
        method: "GET",
        path: objectPath(ref),
        describe: describe("GET", ref),
      });
    } catch (error) {
      if (error instanceof ClusterError && error.notFound) return undefined;
      throw error;
    }
  }

  async list<T = KubeObjectJson>(
    ref: ObjectRef,
    selectors: { labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<ObjectList<T>> {
    return this.call<ObjectList<T>>({
      method: "GET",
      path: objectPath({ ...ref, name: undefined }),
      query: { labelSelector: selectors.labelSelector, fieldSelector: selectors.fieldSelector },
      describe: describe("GET", { ...ref, name: undefined }),
    });
  }

  /** Server-side apply as field manager gpuvm (FIELD_MANAGERS.apply); dryRun asks the server what the result would be. */
  async apply<T = KubeObjectJson>(
    obj: KubeObjectJson,
    opts: { dryRun?: boolean; force?: boolean } = {},
  ): Promise<T> {
    const ref = refOf(obj);
    return this.call<T>({
      method: "PATCH",
      path: objectPath(ref),
      query: {
        fieldManager: FIELD_MANAGER,
        fieldValidation: "Strict",
        force: opts.force ? "true" : undefined,
        dryRun: opts.dryRun ? "All" : undefined,
      },
      body: obj,
      contentType: "application/apply-patch+yaml",
      describe: describe("PATCH", ref),
    });
  }

  /** JSON merge patch; with metadata.resourceVersion in the patch the server refuses stale writes (409). */
  async mergePatch<T = KubeObjectJson>(
    ref: ObjectRef,
    patch: unknown,
    opts: { dryRun?: boolean; fieldManager?: string } = {},
  ): Promise<T> {
    return this.call<T>({
      method: "PATCH",
      path: objectPath(ref),
      query: {
        fieldManager: opts.fieldManager ?? FIELD_MANAGER,
        fieldValidation: "Strict",
        dryRun: opts.dryRun ? "All" : undefined,
      },
      body: patch,
      contentType: "application/merge-patch+json",
      describe: describe("PATCH", ref),
    });
  }

  async create<T = KubeObjectJson>(obj: KubeObjectJson): Promise<T> {
    const ref = refOf(obj);
    return this.call<T>({
      method: "POST",
      path: objectPath({ ...ref, name: undefined }),
      query: { fieldManager: FIELD_MANAGER, fieldValidation: "Strict" },
      body: obj,
      describe: describe("POST", ref),
    });
  }

  /** PUT: the object's resourceVersion makes it a compare-and-swap (409 when someone wrote first). */
  async replace<T = KubeObjectJson>(obj: KubeObjectJson): Promise<T> {
    const ref = refOf(obj);
    return this.call<T>({
      method: "PUT",
      path: objectPath(ref),
      query: { fieldManager: FIELD_MANAGER, fieldValidation: "Strict" },
      body: obj,
      describe: describe("PUT", ref),
    });
  }

  /** Deletes the object; resolves false when it was already gone. */
  async delete(ref: ObjectRef, opts: { resourceVersion?: string } = {}): Promise<boolean> {
    try {
      await this.call({
        method: "DELETE",
        path: objectPath(ref),
        ...(opts.resourceVersion
          ? {
              body: {
                kind: "DeleteOptions",
                apiVersion: "v1",
                preconditions: { resourceVersion: opts.resourceVersion },
              },
            }
          : {}),
        describe: describe("DELETE", ref),
      });
      return true;
    } catch (error) {
      if (error instanceof ClusterError && error.notFound) return false;
      throw error;
    }
  }

  /** GET of any API path that answers undefined for 404. */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>("GET", path);
    } catch (error) {
      if (error instanceof ClusterError && error.notFound) return undefined;
      throw error;
    }
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

  /** A path the server answers with JSON outside the object table (e.g. /version). */
  async raw<T>(path: string, describeAs: RequestDescription): Promise<T> {
    return this.call<T>({ method: "GET", path, describe: describeAs });
  }

  /**
   * Any API path (subresources, aggregated APIs, lists by selector), described for error messages from
   * the path itself: /api(s)/GROUP/VERSION/[namespaces/NS/]PLURAL[/NAME[/SUBRESOURCE]].
   */
  async request<T>(
    method: string,
    path: string,
    params: { body?: unknown; contentType?: string; query?: Record<string, string> } = {},
  ): Promise<T> {
    const httpMethod = method.toUpperCase() as HttpMethod;
    return this.call<T>({
      method: httpMethod,
      path,
      ...(params.query ? { query: params.query } : {}),
      ...(params.body !== undefined ? { body: params.body } : {}),
      ...(params.contentType ? { contentType: params.contentType } : {}),
      describe: describePath(httpMethod, path),
    });
  }
}

function describePath(method: HttpMethod, path: string): RequestDescription {
  const parts = new URL(path, "https://server").pathname.split("/").filter(Boolean);
  const [root, ...rest] = parts;
  const group = root === "apis" ? rest.shift() : undefined;
  rest.shift(); // the version
  const namespace = rest[0] === "namespaces" && rest.length > 2 ? rest[1] : undefined;
  if (namespace) rest.splice(0, 2);
  const [plural = "", name, subresource] = rest;
  const resource = `${plural}${subresource ? `/${subresource}` : ""}${group ? `.${group}` : ""}`;
  return {
    verb: VERB[method] ?? (name ? "get" : "list"),
    resource,
    ...(name ? { name } : {}),
    ...(namespace ? { namespace } : {}),
  };
}
