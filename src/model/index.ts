// Lab file → Lab in one call, for commands and tests.
import { type LoadedLab, loadLab, parseLab } from "../config/load.js";
import { buildLab } from "./build.js";
import type { Lab } from "./lab.js";

export type { Lab } from "./lab.js";

function toLab(loaded: LoadedLab): Lab {
  return buildLab(loaded.file, loaded.source);
}

/** Reads, validates and normalises a lab file. Throws InputError with located problems. */
export async function loadModel(path: string): Promise<Lab> {
  return toLab(await loadLab(path));
}

/** The same from text; `file` names it in messages. */
export function parseModel(text: string, file = "lab.yaml"): Lab {
  return toLab(parseLab(text, file));
}
