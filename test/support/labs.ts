// Lab files for tests: the shipped examples, and small labs built from text.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseModel } from "../../src/model/index.js";
import type { Lab } from "../../src/model/lab.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export const EXAMPLES = ["homelab", "harvester-docker-host", "capk-gpu-worker"] as const;

export function examplePath(name: string): string {
  return resolve(repoRoot, "examples", `${name}.yaml`);
}

export function exampleText(name: string): string {
  return readFileSync(examplePath(name), "utf8");
}

export function exampleLab(name: string): Lab {
  return parseModel(exampleText(name), `${name}.yaml`);
}
