// Resolving a mode's CPU and memory against its host.
//
// Rounding rule (written down because users compare it with their hand-made specs):
// - cores: the share of the host's logical CPUs, rounded to the nearest whole core (halves round up),
//   never below 1. 80% of 16 CPUs = 12.8 → 13 cores.
// - memory: the share of the host's memory, rounded to the nearest whole GiB (halves round up);
//   a result under 1 GiB rounds to the nearest MiB instead. 80% of 32Gi = 25.6Gi → 26Gi.
// These give the seed's 13 cores / 26 GB for tower1 (16 CPUs, 32 GiB).
import { GiB, MiB, parsePercent, parseQuantity } from "../config/quantity.js";

export function resolveCores(request: number | string, hostCpu: number | undefined): number | undefined {
  if (typeof request === "number") return request;
  const share = parsePercent(request);
  if (share === undefined || hostCpu === undefined) return undefined;
  return Math.max(1, Math.floor(hostCpu * share + 0.5));
}

export function resolveMemoryBytes(request: string, hostBytes: number | undefined): number | undefined {
  const share = parsePercent(request);
  if (share === undefined) return parseQuantity(request);
  if (hostBytes === undefined) return undefined;
  const bytes = hostBytes * share;
  const gib = Math.floor(bytes / GiB + 0.5);
  if (gib >= 1) return gib * GiB;
  return Math.max(1, Math.floor(bytes / MiB + 0.5)) * MiB;
}
