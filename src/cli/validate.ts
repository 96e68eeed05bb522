// gpuvm validate -f lab.yaml: parse, validate and normalise; print what the lab holds.
import type { Command } from "commander";
import { loadModel } from "../model/index.js";
import type { Lab } from "../model/lab.js";
import type { Io } from "./io.js";
import { lintGate } from "./lint-gate.js";
import { labFileOption, outputOption } from "./options.js";

export function labSummary(lab: Lab) {
  return {
    name: lab.name,
    namespace: lab.cluster.namespace,
    hosts: lab.hosts.map((host) => ({
      name: host.name,
      cpu: host.cpu,
      memoryBytes: host.memoryBytes,
      gpus: host.gpus.map((gpu) => ({ name: gpu.key, functions: gpu.functions.map((fn) => fn.address) })),
    })),
    vms: lab.vms.map((vm) => ({
      name: vm.name,
      os: vm.os,
      defaultMode: vm.defaultMode,
      modes: vm.modes.map((mode) => ({
        name: mode.objectName,
        mode: mode.name,
        host: mode.host?.name ?? null,
        affinity: mode.affinity,
        cores: mode.cores,
        memory: mode.memory,
        gpus: mode.gpus.map((gpu) => gpu.key),
      })),
    })),
  };
}

function describe(lab: Lab): string {
  const lines = [`${lab.source.file}: valid lab "${lab.name}" (namespace ${lab.cluster.namespace})`];
  for (const vm of lab.vms) {
    for (const mode of vm.modes) {
      const where = mode.host ? ` on ${mode.host.name} (${mode.affinity})` : "";
      const gpus = mode.gpus.length > 0 ? `, GPU ${mode.gpus.map((gpu) => gpu.key).join(", ")}` : "";
      lines.push(`  ${mode.objectName}: ${mode.cores} cores, ${mode.memory}${gpus}${where}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export function registerValidate(program: Command, io: Io): void {
  program
    .command("validate")
    .description("check a lab file and show what it resolves to")
    .addOption(labFileOption())
    .addOption(outputOption(["text", "json"], "text"))
    .option("--strict", "treat lint warnings as errors")
    .action(async (options: { file: string; output: string; strict?: boolean }) => {
      const lab = await loadModel(options.file);
      lintGate(lab, io, { strict: options.strict === true });
      io.out(options.output === "json" ? `${JSON.stringify(labSummary(lab), null, 2)}\n` : describe(lab));
    });
}
