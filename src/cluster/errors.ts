// Errors from the API server, turned into sentences a user can act on. Messages never include
// credentials: they are built from the request (verb, resource, namespace) and the server's Status, and
// whatever a library or the server adds goes through `redact`.

import { GpuvmError } from "../errors.js";
import { quoteForMessage } from "../terminal.js";
import { displayServer, redact } from "./secrets.js";

export interface RequestDescription {
  /** The RBAC verb: get, list, watch, create, update, patch, delete. */
  verb: string;
  /** "virtualmachines.kubevirt.io" */
  resource: string;
  name?: string;
  namespace?: string;
}

/** What a server says can be a whole HTML page from a proxy: messages keep its start. */
const MAX_SERVER_TEXT = 300;

export function serverText(text: string): string {
  const oneLine = quoteForMessage(redact(text.trim()));
  return oneLine.length > MAX_SERVER_TEXT ? `${oneLine.slice(0, MAX_SERVER_TEXT)}…` : oneLine;
}

/** A failed API call: the HTTP status, the server's reason and message, and what was asked. */
export class ClusterError extends GpuvmError {
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly serverMessage: string,
    readonly request: RequestDescription,
  ) {
    super(describeFailure(code, reason, serverMessage, request));
  }

  get notFound(): boolean {
    return this.code === 404;
  }
  get conflict(): boolean {
    return this.code === 409;
  }
  get forbidden(): boolean {
    return this.code === 403;
  }
}

function where(request: RequestDescription): string {
  return request.namespace ? ` in namespace ${quoteForMessage(request.namespace)}` : " (cluster-wide)";
}

export function target(request: RequestDescription): string {
  const resource = quoteForMessage(request.resource);
  return request.name ? `${resource} "${quoteForMessage(request.name)}"` : resource;
}

export const RBAC_ADVICE = "render the role gpuvm needs with: gpuvm render --target kubevirt --with-rbac";

export function describeFailure(
  code: number,
  reason: string,
  serverMessage: string,
  request: RequestDescription,
): string {
  const said = serverMessage ? serverText(serverMessage) : "";
  if (code === 403) {
    // The server's words name the user it saw; the advice says how to get the permission.
    const server = said ? `; the server said: ${said}` : "";
    return `you may not ${request.verb} ${target(request)}${where(request)}: your Kubernetes user lacks that permission${server} (${RBAC_ADVICE})`;
  }
  if (code === 401) {
    return "the API server did not accept your credentials (check --kubeconfig, KUBECONFIG and --context)";
  }
  return `${request.verb} ${target(request)}${where(request)} failed: ${said || serverText(reason) || `HTTP ${code}`}`;
}

/** A network failure before the server answered (refused, reset, TLS). */
export class UnreachableError extends GpuvmError {
  constructor(
    readonly server: string,
    cause: unknown,
  ) {
    // Node and client-node put the request URL (with any user:password in it) into the cause's message.
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`cannot reach the API server at ${displayServer(server)}: ${serverText(why)}`, { cause });
  }
}

/** A 2xx reply gpuvm cannot use: not JSON, or not the shape of the object asked for. */
export class ReplyError extends GpuvmError {
  constructor(
    readonly request: RequestDescription,
    problem: string,
  ) {
    super(`the API server's reply to ${request.verb} ${target(request)}${where(request)} ${problem}`, {
      hint: "check that --kubeconfig and --context point at a Kubernetes API server (a proxy in between may answer instead)",
    });
  }
}
