// The names the ISO code still imports, for the one stack gpuvm talks to a cluster with: KubeClient
// (requests to any path, 404 as undefined, WebSocket connection options) and ClusterError (a refusal,
// keeping both the server's words and gpuvm's advice).
import { KubeClient } from "./client.js";
import { ClusterError } from "./errors.js";

export const KubeApi = KubeClient;
export type KubeApi = KubeClient;
export const ApiError = ClusterError;
export type ApiError = ClusterError;
