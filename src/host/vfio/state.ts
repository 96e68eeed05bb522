import * as fs from "node:fs";
import * as path from "node:path";
import { confine } from "../confine.js";
import { HostUserError } from "../errors.js";

/** Where gpuvm remembers which driver each function had before it was bound to vfio-pci. */
export const STATE_FILE = "var/lib/gpuvm/bindings.json";

export interface BindingRecord {
  /** Driver the function had before gpuvm bound it, or null when it had none. */
  originalDriver: string | null;
  /** driver_override before gpuvm set it (normally null). */
  originalOverride: string | null;
  boundAt: string;
}

export interface BindingState {
  version: 1;
  bindings: Record<string, BindingRecord>;
}

export function emptyState(): BindingState {
  return { version: 1, bindings: {} };
}

export function readState(root: string): BindingState {
  const file = path.join(root, STATE_FILE);
  const where = confine(root, STATE_FILE);
  if (!where.ok) {
    if (where.missing) return emptyState();
    throw new HostUserError(`cannot read ${file}: ${where.reason}`);
  }
  let text: string;
  try {
    text = fs.readFileSync(where.real, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return emptyState();
    throw new HostUserError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as Partial<BindingState>;
    if (parsed.version !== 1 || typeof parsed.bindings !== "object" || parsed.bindings === null) {
      throw new HostUserError("not a gpuvm bindings file (version 1)");
    }
    return { version: 1, bindings: parsed.bindings };
  } catch (err) {
    throw new HostUserError(
      `${file} is damaged: ${(err as Error).message}`,
      "fix or remove it; it only records original drivers",
    );
  }
}

export function serializeState(state: BindingState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}
