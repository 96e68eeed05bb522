// A located problem in user input, and the error that carries a list of them.
import { GpuvmError } from "../errors.js";
import type { LabPath, Location } from "./source.js";

export interface Problem extends Location {
  /** Dotted path in the lab file ("vms.gaming.modes.live.cpu"), empty for the whole file. */
  path: string;
  message: string;
}

export function dottedPath(path: LabPath): string {
  return path.map(String).join(".");
}

export function formatProblem(problem: Problem): string {
  const where = `${problem.file}:${problem.line}:${problem.col}`;
  return problem.path ? `${where}: ${problem.path}: ${problem.message}` : `${where}: ${problem.message}`;
}

/** Input the user must fix. The CLI prints each problem on its own line and exits 1. */
export class InputError extends GpuvmError {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join("\n"));
  }
}
