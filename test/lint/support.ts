// Lint test helpers: where a snippet sits, so each test states the location a user would see, and a
// lint run over a lab (optionally with mutated rendered objects).
import type { LintFacts } from "../../src/lint/finding.js";
import { type LintOptions, runLint } from "../../src/lint/run.js";
import { parseModel } from "../../src/model/index.js";
import type { KubeObject } from "../../src/render/object.js";
import { renderKubevirtTarget } from "../../src/render/targets/kubevirt.js";

// The one base lab of the unit tests and its variants live in test/support/labs.ts.
export { BASE, VM2, variant } from "../support/labs.js";

/** Line and column (1-based) of `inner` inside the first occurrence of `outer` (default: outer itself). */
export function where(text: string, outer: string, inner = outer): { line: number; col: number } {
  const start = text.indexOf(outer);
  if (start < 0) throw new Error(`where: "${outer}" is not in the lab`);
  const offset = start + outer.indexOf(inner);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}

export interface LintRun {
  text: string;
  mutate?: (objects: KubeObject[]) => void;
  facts?: LintFacts;
  strict?: boolean;
}

export function lint({ text, mutate, facts, strict }: LintRun) {
  const lab = parseModel(text, "lab.yaml");
  const options: LintOptions = { strict: strict === true, ...(facts ? { facts } : {}) };
  if (mutate) {
    const objects = renderKubevirtTarget(lab).objects;
    mutate(objects);
    options.objects = objects;
  }
  return runLint(lab, options);
}

/** The rendered object of `kind` named `name`, typed loosely for mutation. */
export function object(objects: KubeObject[], kind: string, name: string): any {
  const found = objects.find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}
