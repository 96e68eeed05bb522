// gpuvm render -f lab.yaml [--target T] [-o yaml|json] [--out DIR [--prune-files]]
import { join } from "node:path";
import type { Command } from "commander";
import { writeFileAtomic } from "../emit/atomic.js";
import { layoutTarget } from "../emit/directory.js";
import { leasesJson } from "../emit/leases-json.js";
import { type FolderResult, writeOutputFolder } from "../emit/output-folder.js";
import { toJsonList, toYamlStream } from "../emit/yaml.js";
import { loadModel } from "../model/index.js";
import { renderRbac } from "../render/rbac.js";
import { findTarget, type Target, targets } from "../render/targets/index.js";
import { type Io, UsageError } from "./io.js";
import { lintGate } from "./lint-gate.js";
import { labFileOption, outputOption } from "./options.js";
import { type TargetFlags, targetFlagOptions, targetOptions } from "./render-options.js";

interface RenderFlags extends TargetFlags {
  file: string;
  target?: string[];
  output: string;
  out?: string;
  strict?: boolean;
  withRbac?: boolean;
  pruneFiles?: boolean;
}

/** What `render --out` tells the user about one folder, on stderr, besides the count. */
function folderReport(target: string, result: FolderResult, prune: boolean): string {
  const at = (path: string) => join(result.folder, path);
  const lines = result.notes.map((note) => `${target}: ${note}`);
  for (const path of result.replacedEdited)
    lines.push(`${target}: ${at(path)}: replaced; it had been edited since gpuvm wrote it`);
  for (const path of result.replacedUnrecorded)
    lines.push(`${target}: ${at(path)}: replaced a different file that gpuvm had not written`);
  for (const path of result.removed)
    lines.push(`${target}: removed ${at(path)}: gpuvm wrote it and no longer renders it`);
  if (result.stale.length > 0) {
    lines.push(
      `${target}: ${result.stale.length} file(s) gpuvm wrote earlier and no longer renders (--prune-files removes them):`,
      ...result.stale.map((path) => `  ${at(path)}`),
    );
  }
  for (const path of result.keptEdited) {
    lines.push(
      `${target}: ${at(path)}: no longer rendered, but edited since gpuvm wrote it; left in place${prune ? " (--prune-files removes only unchanged files)" : ""}`,
    );
  }
  return lines.map((line) => `${line}\n`).join("");
}

/**
 * -o json is one JSON document; plain files (host configuration, a runbook) have no place in it, so a
 * target whose output holds them is refused rather than printed as something that is not JSON. The
 * router's leases have a JSON form of their own.
 */
function refuseJsonOfFiles(target: string, output: ReturnType<Target["render"]>): void {
  if (target === "router" || output.files.length === 0) return;
  const files = output.files.map((file) => file.path).join(", ");
  const what =
    output.objects.length === 0
      ? `the ${target} target renders files, not objects (${files})`
      : `the ${target} target renders files beside its objects here (${files})`;
  throw new UsageError(
    `-o json prints objects only, and ${what}`,
    "print them with -o yaml, or write them with --out DIR",
  );
}

export function registerRender(program: Command, io: Io): void {
  program
    .command("render")
    .description("render the lab's objects for a target")
    .addOption(labFileOption())
    .option(
      "-t, --target <name...>",
      `target(s): ${targets.map((target) => target.name).join(", ")} (default: the lab's cluster.target)`,
    )
    .addOption(outputOption(["yaml", "json"], "yaml"))
    .option("--out <dir>", "write one file per object and a kustomization.yaml per target into DIR/<target>/")
    .option("--strict", "treat lint warnings as errors")
    .option(
      "--prune-files",
      "with --out: remove the files gpuvm wrote there earlier and no longer renders (unchanged ones only)",
    )
    .option("--with-rbac", "kubevirt target: add the ClusterRole and Role a gpuvm user needs")
    .addOption(targetFlagOptions.asPatch())
    .addOption(targetFlagOptions.patchInto())
    .addOption(targetFlagOptions.format())
    .action(async (flags: RenderFlags) => {
      const lab = await loadModel(flags.file);
      const names = flags.target ?? [lab.cluster.target];
      const chosen = names.map((name) => {
        const target = findTarget(name);
        if (!target) {
          throw new UsageError(
            `unknown target "${name}"; known: ${targets.map((known) => known.name).join(", ")}`,
          );
        }
        return target;
      });
      if (!flags.out && chosen.length > 1)
        throw new UsageError("several targets need --out DIR (one folder each)");
      if (flags.pruneFiles && !flags.out) throw new UsageError("--prune-files goes with --out DIR");
      if (flags.output === "json" && flags.format && !flags.out) {
        throw new UsageError(
          "--format picks the router's leases file; -o json prints the leases as JSON instead: use one of them",
        );
      }
      const options = await targetOptions(flags, chosen, targets);
      if (flags.withRbac && chosen.some((target) => target.name !== "kubevirt"))
        throw new UsageError("--with-rbac goes with --target kubevirt");
      const render = (target: Target): ReturnType<Target["render"]> => {
        const output = target.render(lab, options);
        if (!flags.withRbac) return output;
        return { ...output, objects: [...output.objects, ...renderRbac(lab)] };
      };
      // Lint before rendering: an error-level finding stops the command before anything is written.
      for (const target of chosen) lintGate(lab, io, { target: target.name, strict: flags.strict === true });

      if (flags.out) {
        for (const target of chosen) {
          const output = render(target);
          for (const note of output.notes ?? []) io.err(`${target.name}: ${note}\n`);
          const prune = flags.pruneFiles === true;
          const result = await writeOutputFolder(flags.out, target.name, layoutTarget(output), { prune });
          io.err(`${target.name}: wrote ${result.written} files to ${result.folder}\n`);
          io.err(folderReport(target.name, result, prune));
        }
        return;
      }
      const [target] = chosen;
      if (!target) return;
      const output = render(target);
      if (flags.output === "json") refuseJsonOfFiles(target.name, output);
      // Rendering finished without error before any file the user named is replaced.
      for (const edit of output.edits ?? []) await writeFileAtomic(edit.path, edit.content);
      for (const note of output.notes ?? []) io.err(`${target.name}: ${note}\n`);
      if (flags.output === "json" && target.name === "router") {
        io.out(leasesJson(lab));
        return;
      }
      if (output.objects.length > 0) {
        io.out(flags.output === "json" ? toJsonList(output.objects) : toYamlStream(output.objects));
      }
      // A lone file (router leases) prints as it is, ready to redirect; several get a header each.
      const [only, ...more] = output.files;
      if (output.objects.length === 0 && only && more.length === 0) io.out(only.content);
      else for (const file of output.files) io.out(`# ${file.path}\n${file.content}`);
    });
}
