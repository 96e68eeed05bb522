// gpuvm lint -f lab.yaml [--target T] [-o text|json] [--strict]: every lint rule over the lab and the
// objects of a target. Exit 1 when an error-level rule fires (warnings too with --strict).
import type { Command } from "commander";
import { TARGETS } from "../config/schema.js";
import { formatFindings, formatSummary, toJson } from "../lint/format.js";
import { hasErrors, runLint } from "../lint/run.js";
import { loadModel } from "../model/index.js";
import { type Io, QuietExit, UsageError } from "./io.js";
import { labFileOption, outputOption } from "./options.js";

interface LintFlags {
  file: string;
  target?: string;
  output: string;
  strict?: boolean;
}

export function registerLint(program: Command, io: Io): void {
  program
    .command("lint")
    .description("check a lab against every lesson of running GPU VMs on KubeVirt (docs/lint.md)")
    .addOption(labFileOption())
    .option(
      "-t, --target <name>",
      `target whose objects are checked: ${TARGETS.join(", ")} (default: the lab's cluster.target)`,
    )
    .addOption(outputOption(["text", "json"], "text"))
    .option("--strict", "treat warnings as errors")
    .action(async (flags: LintFlags) => {
      if (flags.target !== undefined && !(TARGETS as readonly string[]).includes(flags.target)) {
        throw new UsageError(`unknown target "${flags.target}"; known: ${TARGETS.join(", ")}`);
      }
      const lab = await loadModel(flags.file);
      const report = runLint(lab, {
        ...(flags.target !== undefined ? { target: flags.target } : {}),
        strict: flags.strict === true,
      });
      if (flags.output === "json") io.out(toJson(report));
      else io.out(formatFindings(report.findings) + formatSummary(lab.source.file, report));
      if (hasErrors(report)) throw new QuietExit(1);
    });
}
