// Checks that must pass before gpuvm sends a single request to the cluster.
// LINT HOOK: the lint rules (src/lint/) are being written on another branch; once they land, call them
// here and return their errors. Until then this returns no problems.
import type { Lab } from "../model/lab.js";
import type { KubeObject } from "../render/object.js";

export interface PreflightProblem {
  id: string;
  message: string;
  fix?: string;
}

export function lintBeforeApply(_lab: Lab, _objects: KubeObject[]): PreflightProblem[] {
  return [];
}
