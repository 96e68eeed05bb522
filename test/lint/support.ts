// Small labs for lint tests: one lab that lints clean, variants made by replacing text in it, and a
// helper that finds where a snippet sits so each test states the location a user would see.
import type { LintFacts } from "../../src/lint/finding.js";
import { type LintOptions, runLint } from "../../src/lint/run.js";
import { parseModel } from "../../src/model/index.js";
import type { KubeObject } from "../../src/render/object.js";
import { renderKubevirtTarget } from "../../src/render/targets/kubevirt.js";

export const BASE = `apiVersion: gpuvm/v1alpha1
kind: Lab
metadata: { name: t }
cluster: { namespace: lab, kubevirt: v1.6.3, cdi: v1.63.1 }
hosts:
  tower1:
    capacity: { cpu: 16, memory: 32Gi }
    gpus:
      gpu:
        functions:
          - { address: "0000:09:00.0", id: "10de:2206", resource: nvidia.com/rtx3080 }
          - { address: "0000:09:00.1", id: "10de:1aef", resource: nvidia.com/rtx3080-audio }
    bridge: { name: br0, uplink: enp9s0 }
storage:
  fast: { replicas: 1 }
networks:
  lan: { bridge: br0, binding: managedTap, subnet: 192.168.26.0/24, gateway: 192.168.26.1, domain: vms.lab.example }
vms:
  vm1:
    os: linux
    disks:
      system: { size: 64Gi, storage: fast }
    nics:
      lan: { mac: "8a:d3:14:ca:21:70", ip: 192.168.26.100 }
    modes:
      live: { host: tower1, cpu: 80%, memory: 80%, gpus: [gpu] }
      maintenance: { cpu: 2, memory: 4Gi }
`;

/** A second VM without GPU or NIC, to append under vms. */
export const VM2 = `  vm2:
    disks:
      system: { size: 64Gi, storage: fast }
    modes:
      maintenance: { host: tower1, cpu: 2, memory: 4Gi }
`;

/** BASE with each [from, to] replaced once; throws when `from` is not there, so variants cannot rot. */
export function variant(...edits: [string, string][]): string {
  let text = BASE;
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`variant: "${from}" is not in the lab`);
    text = text.replace(from, to);
  }
  return text;
}

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
