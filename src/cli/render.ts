// gpuvm render -f lab.yaml [--target T] [-o yaml|json] [--out DIR]
import { join } from "node:path";
import type { Command } from "commander";
import { writeFileAtomic } from "../emit/atomic.js";
import { layoutTarget, writeFiles } from "../emit/directory.js";
import { toJsonList, toYamlStream } from "../emit/yaml.js";
import { loadModel } from "../model/index.js";
import type { KubeObject } from "../render/object.js";
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
      const options = await targetOptions(flags, chosen, targets);
      if (flags.withRbac && chosen.some((target) => target.name !== "kubevirt"))
        throw new UsageError("--with-rbac goes with --target kubevirt");
      const render = (target: Target): ReturnType<Target["render"]> => {
        const output = target.render(lab, options);
        if (!flags.withRbac) return output;
        return { ...output, objects: [...output.objects, ...(renderRbac(lab) as unknown as KubeObject[])] };
      };
      // Lint before rendering: an error-level finding stops the command before anything is written.
      for (const target of chosen) lintGate(lab, io, { target: target.name, strict: flags.strict === true });

      if (flags.out) {
        for (const target of chosen) {
          const folder = join(flags.out, target.name);
          const output = render(target);
          for (const note of output.notes ?? []) io.err(`${target.name}: ${note}\n`);
          const written = await writeFiles(folder, layoutTarget(output));
          io.err(`${target.name}: wrote ${written.length} files to ${folder}\n`);
        }
        return;
      }
      const [target] = chosen;
      if (!target) return;
      const output = render(target);
      // Rendering finished without error before any file the user named is replaced.
      for (const edit of output.edits ?? []) await writeFileAtomic(edit.path, edit.content);
      for (const note of output.notes ?? []) io.err(`${target.name}: ${note}\n`);
      if (output.objects.length > 0) {
        io.out(flags.output === "json" ? toJsonList(output.objects) : toYamlStream(output.objects));
      }
      // A lone file (router leases) prints as it is, ready to redirect; several get a header each.
      const [only, ...more] = output.files;
      if (output.objects.length === 0 && only && more.length === 0) io.out(only.content);
      else for (const file of output.files) io.out(`# ${file.path}\n${file.content}`);
    });
}
