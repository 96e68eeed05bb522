// The capk target: for the infrastructure cluster, the KubeVirt CR that permits the workers' GPUs, and a
// KubevirtMachineTemplate per worker pool. With patchInto (`--patch-into FILE`), the GPUs go into the
// worker template of a clusterctl manifest instead, and only the KubeVirt CR is printed.
import type { Lab } from "../../model/lab.js";
import { capkGpus } from "../capk/gpus.js";
import { renderInfraKubeVirt } from "../capk/kubevirt-config.js";
import { renderMachineTemplate } from "../capk/machine-template.js";
import { patchClusterctlManifest } from "../capk/patch-into.js";
import { nonPoolVms, workerPools } from "../capk/pools.js";
import type { RenderOutput } from "../object.js";

export interface CapkOptions {
  /** A clusterctl manifest, read by the CLI: its path (for messages and the edit) and text. */
  patchInto?: { file: string; text: string };
}

export function renderCapkTarget(lab: Lab, options: CapkOptions = {}): RenderOutput {
  const pools = workerPools(lab);
  const notes = nonPoolVms(lab).map(
    (name) => `${name}: not a worker pool (no capk field, and not named <cluster>-md-<n>); left out`,
  );
  const kubevirt = renderInfraKubeVirt(lab, pools);
  if (options.patchInto) {
    const { file, text } = options.patchInto;
    const candidates = pools.map((pool) => ({
      cluster: pool.cluster,
      pool: pool.pool,
      gpus: capkGpus(pool.mode),
    }));
    const patched = patchClusterctlManifest(file, text, candidates);
    const devices = patched.gpus.map((gpu) => gpu.deviceName).join(", ") || "none";
    notes.push(`${file}: KubevirtMachineTemplate ${patched.template} now has gpus ${devices}`);
    return { objects: [kubevirt], files: [], notes, edits: [{ path: file, content: patched.content }] };
  }
  const templates = pools.map((pool) => renderMachineTemplate(lab, pool));
  return { objects: [kubevirt, ...templates], files: [], notes };
}
