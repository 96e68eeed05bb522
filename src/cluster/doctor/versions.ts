// Version checks: the KubeVirt and CDI the cluster runs (as their operators report them) against the
// lab's declared versions, and virtctl's client version (seed 000: virtctl must match KubeVirt).
import { execFile } from "node:child_process";
import type { ClusterCheck } from "./types.js";

/** "v1.6.3" and "1.6.3" are one version. */
export function sameVersion(a: string, b: string): boolean {
  return a.replace(/^v/, "") === b.replace(/^v/, "");
}

export function versionCheck(
  id: string,
  product: string,
  observed: string | undefined,
  declared: string,
  phase: string | undefined,
): ClusterCheck {
  if (!observed) {
    return {
      id,
      verdict: "warn",
      detail: `${product} is installed but has not reported a deployed version yet (phase ${phase ?? "unknown"})`,
      fix: `wait for the ${product} operator to finish deploying, then run the doctor again`,
    };
  }
  if (sameVersion(observed, declared)) {
    return { id, verdict: "ok", detail: `${product} ${observed} (the lab declares ${declared})` };
  }
  return {
    id,
    verdict: "warn",
    detail: `${product} ${observed} runs, but the lab declares ${declared}`,
    fix: `upgrade ${product} to ${declared}, or set the lab's cluster version to ${observed}`,
  };
}

/** virtctl's client version from `virtctl version --client`, or undefined when it is not on the PATH. */
export function virtctlVersion(timeoutMs = 5_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("virtctl", ["version", "--client"], { timeout: timeoutMs }, (error, stdout) => {
      if (error) {
        resolve(undefined);
        return;
      }
      const match = /GitVersion:"?(v?[0-9][^",\s}]*)/.exec(stdout) ?? /(v\d+\.\d+\.\d+\S*)/.exec(stdout);
      resolve(match?.[1]);
    });
  });
}

export function virtctlCheck(found: string | undefined, kubevirt: string): ClusterCheck {
  if (!found) {
    return {
      id: "virtctl",
      verdict: "ok",
      detail: "virtctl is not on the PATH (gpuvm does not need it)",
    };
  }
  if (sameVersion(found, kubevirt)) return { id: "virtctl", verdict: "ok", detail: `virtctl ${found}` };
  return {
    id: "virtctl",
    verdict: "warn",
    detail: `virtctl ${found} does not match KubeVirt ${kubevirt}; mismatched versions break uploads and consoles`,
    fix: `install virtctl ${kubevirt}: https://github.com/kubevirt/kubevirt/releases/tag/${kubevirt.startsWith("v") ? kubevirt : `v${kubevirt}`}`,
  };
}
