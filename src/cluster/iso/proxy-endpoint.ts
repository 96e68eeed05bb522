// Finds CDI's upload proxy without a NodePort or a manual port-forward: CDIConfig's
// spec.uploadProxyURLOverride or status.uploadProxyURL when set, else a port-forward gpuvm opens itself
// (through the API server, with the user's credentials) to a pod of the cdi-uploadproxy service.
import { createServer, type Server } from "node:net";
import { rootCertificates } from "node:tls";
import { GpuvmError } from "../../errors.js";
import type { KubeClient } from "../client.js";
import { clientNode } from "../client-node.js";
import type { ProxyEndpoint } from "./transfer.js";

export interface ProxyLookup {
  /** Namespace CDI runs in (its upload proxy service and signer bundle live there). */
  cdiNamespace?: string;
  log?: (line: string) => void;
}

export interface OpenEndpoint extends ProxyEndpoint {
  via: "cdiconfig" | "port-forward";
  close(): Promise<void>;
}

interface CdiConfig {
  spec?: { uploadProxyURLOverride?: string };
  status?: { uploadProxyURL?: string };
}

/** CDI publishes the CA that signs the upload proxy's certificate in this ConfigMap. */
const SIGNER_BUNDLE = "cdi-uploadproxy-signer-bundle";
const SERVICE = "cdi-uploadproxy";

async function signerBundle(api: KubeClient, namespace: string): Promise<string | undefined> {
  try {
    const map = await api.find<{ data?: Record<string, string> }>(
      `/api/v1/namespaces/${namespace}/configmaps/${SIGNER_BUNDLE}`,
    );
    return map?.data?.["ca-bundle.crt"];
  } catch {
    // Not readable by this user: the system roots may still do (a proxy behind an ingress).
    return undefined;
  }
}

function withScheme(url: string): string {
  return /^https?:\/\//.test(url) ? url : `https://${url}`;
}

export async function openUploadProxy(api: KubeClient, lookup: ProxyLookup = {}): Promise<OpenEndpoint> {
  const namespace = lookup.cdiNamespace ?? "cdi";
  const bundle = await signerBundle(api, namespace);
  const ca = bundle ? [...rootCertificates, bundle] : undefined;
  const config = await api.find<CdiConfig>("/apis/cdi.kubevirt.io/v1beta1/cdiconfigs/config");
  const configured = config?.spec?.uploadProxyURLOverride || config?.status?.uploadProxyURL;
  if (configured) {
    return { url: withScheme(configured), ...(ca ? { ca } : {}), via: "cdiconfig", close: async () => {} };
  }
  lookup.log?.(`CDIConfig names no upload proxy URL; port-forwarding to ${namespace}/${SERVICE}`);
  return portForwardProxy(api, namespace, ca);
}

interface ServiceObject {
  spec?: { selector?: Record<string, string>; ports?: { port: number; targetPort?: number | string }[] };
}
interface PodList {
  items: { metadata: { name: string }; status?: { phase?: string } }[];
}

async function portForwardProxy(
  api: KubeClient,
  namespace: string,
  ca: string[] | undefined,
): Promise<OpenEndpoint> {
  const service = await api.find<ServiceObject>(`/api/v1/namespaces/${namespace}/services/${SERVICE}`);
  if (!service?.spec?.selector) {
    throw new GpuvmError(
      `no upload proxy: CDIConfig has no uploadProxyURL and service ${namespace}/${SERVICE} was not found`,
      { hint: "install CDI, or name the namespace it runs in with --cdi-namespace" },
    );
  }
  const selector = Object.entries(service.spec.selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
  const pods = await api.request<PodList>("GET", `/api/v1/namespaces/${namespace}/pods`, {
    query: { labelSelector: selector },
  });
  const pod = pods.items.find((item) => item.status?.phase === "Running");
  if (!pod) {
    throw new GpuvmError(`no running pod behind ${namespace}/${SERVICE}`, {
      hint: `see why with: kubectl get pods -n ${namespace}`,
    });
  }
  const target = service.spec.ports?.[0]?.targetPort;
  const port = typeof target === "number" ? target : 8443;

  const { PortForward } = await clientNode();
  const forward = new PortForward(api.kc);
  const server: Server = createServer((socket) => {
    forward
      .portForward(namespace, pod.metadata.name, [port], socket, null, socket)
      .catch((error: unknown) => {
        socket.destroy(error instanceof Error ? error : new Error(String(error)));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new GpuvmError("the port-forward listener has no port");
  return {
    url: `https://127.0.0.1:${address.port}`,
    ...(ca ? { ca } : {}),
    servername: `${SERVICE}.${namespace}.svc`,
    via: "port-forward",
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
