// Lab text for the config tests: one small valid lab, variants of it, and the lines a rejected lab prints.
import { InputError } from "../../src/config/problem.js";
import { parseModel } from "../../src/model/index.js";

export const BASE = `apiVersion: gpuvm/v1alpha1
kind: Lab
metadata: { name: t }
hosts:
  tower1:
    capacity: { cpu: 16, memory: 32Gi }
    gpus:
      rtx3080:
        functions:
          - { address: "0000:09:00.0", id: "10de:2206" }
          - { address: "0000:09:00.1", id: "10de:1aef" }
storage:
  system: { replicas: 3 }
networks:
  lan: { bridge: local-br0 }
vms:
  gaming:
    disks: { system: { size: 64Gi, storage: system } }
    nics: { lan: { mac: "8a:d3:14:ca:21:70" } }
    modes:
      live: { host: tower1, cpu: 80%, memory: 80%, gpus: [rtx3080] }
      maintenance: { cpu: 2, memory: 4Gi }
`;

/** BASE with one exact substring replaced; fails loudly if the substring is not there. */
export function edit(from: string, to: string): string {
  if (!BASE.includes(from)) throw new Error(`test setup: ${JSON.stringify(from)} not in BASE`);
  return BASE.replace(from, to);
}

/** The problem lines a lab is rejected with; throws when it is accepted or fails with anything else. */
export function rejection(text: string, file = "lab.yaml"): string[] {
  try {
    parseModel(text, file);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return error.message.split("\n");
  }
  throw new Error("expected the lab to be rejected");
}
