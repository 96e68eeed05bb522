// Lab files for tests: the shipped examples, and the one small base lab that tests vary as text.
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

/**
 * The smallest valid lab: only what the schema requires, one GPU host and one VM with two modes. The
 * config tests pin line:col positions in it, so it changes only with them.
 */
export const MINIMAL = `apiVersion: gpuvm/v1alpha1
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

/**
 * The one base lab of the unit tests: a GPU host with a bridge, storage, a managedTap network and one VM
 * with live and maintenance modes. It lints clean; tests make variants of it with `variant`.
 */
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
  return variantOf(BASE, ...edits);
}

/** A base lab with each [from, to] replaced once; throws when `from` is not there. */
export function variantOf(base: string, ...edits: [string, string][]): string {
  let text = base;
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`variant: "${from}" is not in the lab`);
    text = text.replace(from, to);
  }
  return text;
}
