// Errors from the API server, turned into sentences a user can act on. Messages never include
// credentials: they are built from the request (verb, resource, namespace) and the server's Status.

export interface RequestDescription {
  /** The RBAC verb: get, list, watch, create, update, patch, delete. */
  verb: string;
  /** "virtualmachines.kubevirt.io" */
  resource: string;
  name?: string;
  namespace?: string;
}

/** A failed API call: the HTTP status, the server's reason and message, and what was asked. */
export class ClusterError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly serverMessage: string,
    readonly request: RequestDescription,
  ) {
    super(describeFailure(code, reason, serverMessage, request));
    this.name = "ClusterError";
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
  return request.namespace ? ` in namespace ${request.namespace}` : " (cluster-wide)";
}

export function describeFailure(
  code: number,
  reason: string,
  serverMessage: string,
  request: RequestDescription,
): string {
  const target = request.name ? `${request.resource} "${request.name}"` : request.resource;
  if (code === 403) {
    return `you may not ${request.verb} ${target}${where(request)}: your Kubernetes user lacks that permission (render the role gpuvm needs with: gpuvm render --target kubevirt --with-rbac)`;
  }
  if (code === 401) {
    return "the API server did not accept your credentials (check --kubeconfig, KUBECONFIG and --context)";
  }
  return `${request.verb} ${target}${where(request)} failed: ${serverMessage || reason || `HTTP ${code}`}`;
}

/** A network failure before the server answered (refused, reset, TLS). */
export class UnreachableError extends Error {
  constructor(
    readonly server: string,
    cause: unknown,
  ) {
    super(
      `cannot reach the API server at ${server}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = "UnreachableError";
  }
}
