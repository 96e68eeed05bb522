// The target-specific flags of `gpuvm render`: declared once, checked against the chosen targets (a flag
// that none of them reads is a usage error, exit 2), and turned into the targets' RenderOptions.
import { readFile } from "node:fs/promises";
import { Option } from "commander";
import { existingTarget } from "../emit/atomic.js";
import type { RenderOptions, Target } from "../render/targets/index.js";
import { ROUTER_FORMATS, type RouterFormat } from "../render/targets/router.js";
import { UsageError } from "./io.js";

export interface TargetFlags {
  asPatch?: boolean;
  patchInto?: string;
  format?: RouterFormat;
  out?: string;
}

const FLAGS: { key: keyof TargetFlags & keyof RenderOptions; flag: string }[] = [
  { key: "asPatch", flag: "--as-patch" },
  { key: "patchInto", flag: "--patch-into" },
  { key: "format", flag: "--format" },
];

/** Fresh Option objects for each program built (tests build many). */
export const targetFlagOptions = {
  asPatch: () =>
    new Option("--as-patch", "harvester: claims, a merge patch per VM and the runbook that applies them"),
  patchInto: () =>
    new Option(
      "--patch-into <file>",
      "capk: add the GPUs to the worker template of a clusterctl manifest, in place",
    ),
  format: () =>
    new Option("--format <format>", "router: the leases' format (default: uci)").choices([...ROUTER_FORMATS]),
};

function owners(key: string, all: Target[]): string {
  return all
    .filter((target) => target.options?.includes(key))
    .map((target) => target.name)
    .join(", ");
}

/** RenderOptions for the chosen targets; throws UsageError for a flag none of them reads. */
export async function targetOptions(
  flags: TargetFlags,
  chosen: Target[],
  all: Target[],
): Promise<RenderOptions> {
  for (const { key, flag } of FLAGS) {
    if (flags[key] === undefined) continue;
    if (!chosen.some((target) => target.options?.includes(key))) {
      const rendering = chosen.map((target) => target.name).join(", ");
      throw new UsageError(`${flag} applies to the ${owners(key, all)} target, not ${rendering}`);
    }
  }
  const options: RenderOptions = {};
  if (flags.asPatch) options.asPatch = true;
  if (flags.format) options.format = flags.format;
  if (flags.patchInto !== undefined) {
    if (flags.out) throw new UsageError("--patch-into edits FILE in place; it cannot be combined with --out");
    const file = flags.patchInto;
    // The file is rewritten in place later; a link there is refused now, before any rendering.
    await existingTarget(file);
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${file} for --patch-into: ${error.code ?? error.message}`);
    });
    options.patchInto = { file, text };
  }
  return options;
}
