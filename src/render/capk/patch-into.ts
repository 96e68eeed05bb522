// `render --target capk --patch-into FILE`: adds a pool's GPUs to the worker KubevirtMachineTemplate of a
// manifest that `clusterctl generate cluster --infrastructure kubevirt` wrote (seed 004's "Configure
// CAPK"). Only the `gpus` entry of the worker's devices mapping changes: the edit splices text at the
// node's source range, so every other byte (comments, quoting, order) stays as clusterctl wrote it.
// Pure: text in, text out; the CLI reads and writes the file.

import { type Document, isMap, isScalar, isSeq, type Node, parseAllDocuments, type YAMLMap } from "yaml";
import { GpuvmError } from "../../errors.js";

export interface GpuEntry {
  deviceName: string;
  name: string;
}

/** A manifest that cannot be patched: the message says what was expected. */
export class ManifestError extends GpuvmError {}

const DEVICES_PATH = [
  "spec",
  "template",
  "spec",
  "virtualMachineTemplate",
  "spec",
  "template",
  "spec",
  "domain",
  "devices",
] as const;

const CLUSTERCTL_HINT = "as `clusterctl generate cluster NAME --infrastructure kubevirt` writes it";

interface Found {
  doc: Document;
  kind: string;
  apiVersion: string;
  name: string;
}

function describeDocuments(file: string, text: string): Found[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new ManifestError(`${file} is empty: expected a clusterctl manifest`);
  const found: Found[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) throw new ManifestError(`${file} is not valid YAML (${error.message.split("\n")[0]})`);
    const get = (key: string) => String(doc.getIn(key.split(".")) ?? "");
    found.push({ doc, kind: get("kind"), apiVersion: get("apiVersion"), name: get("metadata.name") });
  }
  return found;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === "\n") return offset;
  const newline = text.indexOf("\n", offset);
  return newline === -1 ? text.length : newline + 1;
}

function scalar(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) ? value : JSON.stringify(value);
}

/** The `gpus:` block at the devices mapping's indentation, its list indented like the mapping's lists. */
function gpusBlock(gpus: GpuEntry[], indent: number, dashOffset: number): string {
  const pad = " ".repeat(indent);
  const dash = " ".repeat(indent + dashOffset);
  const lines = [`${pad}gpus:`];
  for (const gpu of gpus) {
    lines.push(`${dash}- deviceName: ${scalar(gpu.deviceName)}`, `${dash}  name: ${scalar(gpu.name)}`);
  }
  return `${lines.join("\n")}\n`;
}

function dashOffsetOf(devices: YAMLMap, text: string, indent: number): number {
  for (const pair of devices.items) {
    const value = pair.value as Node | null;
    if (isSeq(value) && !value.flow && value.range) {
      return value.range[0] - lineStart(text, value.range[0]) - indent;
    }
  }
  return 2;
}

/** A lab pool and the GPUs its workers get. */
export interface PoolGpus {
  cluster: string;
  pool: string;
  gpus: GpuEntry[];
}

function clusterDocument(file: string, found: Found[]): Found {
  const cluster = found.find(
    (doc) => doc.kind === "Cluster" && doc.apiVersion.startsWith("cluster.x-k8s.io/"),
  );
  if (!cluster || !found.some((doc) => doc.kind === "KubevirtMachineTemplate")) {
    throw new ManifestError(
      `${file} is not a clusterctl manifest: expected a Cluster (cluster.x-k8s.io) and KubevirtMachineTemplates, ${CLUSTERCTL_HINT}`,
    );
  }
  return cluster;
}

/** The lab pool for this manifest: the only one, or the one named after the manifest's cluster. */
function choosePool(file: string, cluster: string, pools: PoolGpus[]): PoolGpus {
  if (pools.length === 1 && pools[0]) return pools[0];
  const matching = pools.filter((pool) => pool.cluster === cluster);
  if (matching.length === 1 && matching[0]) return matching[0];
  const listed = pools.map((pool) => `${pool.cluster}-${pool.pool}`).join(", ") || "none";
  throw new ManifestError(
    `${file} is cluster "${cluster}": expected exactly one worker pool of the lab for it (the lab has: ${listed})`,
  );
}

function workerTemplate(file: string, found: Found[], pool: string): Found {
  const templates = found.filter((doc) => doc.kind === "KubevirtMachineTemplate");
  const workers = templates.filter((doc) => doc.name.endsWith(`-${pool}`));
  const names = templates.map((doc) => doc.name).join(", ");
  if (workers.length === 0) {
    throw new ManifestError(
      `${file} has no worker template: expected a KubevirtMachineTemplate named <cluster>-${pool} (found ${names})`,
    );
  }
  const [worker, second] = workers;
  if (!worker || second) {
    throw new ManifestError(
      `${file} has ${workers.length} worker templates named *-${pool} (${workers.map((doc) => doc.name).join(", ")}): expected exactly one`,
    );
  }
  return worker;
}

export interface PatchResult {
  content: string;
  /** The KubevirtMachineTemplate that changed. */
  template: string;
  gpus: GpuEntry[];
}

/** The manifest with `gpus` set on the worker template of its pool (md-0); everything else unchanged. */
export function patchClusterctlManifest(file: string, text: string, pools: PoolGpus[]): PatchResult {
  const found = describeDocuments(file, text);
  const cluster = clusterDocument(file, found);
  const { pool, gpus } = choosePool(file, cluster.name, pools);
  const worker = workerTemplate(file, found, pool);
  const devices = worker.doc.getIn(DEVICES_PATH, true);
  if (!isMap(devices) || devices.flow || !devices.range) {
    throw new ManifestError(
      `${file}: KubevirtMachineTemplate ${worker.name} has no block mapping at ${DEVICES_PATH.join(".")} to add gpus to`,
    );
  }
  const firstKey = devices.items[0]?.key as Node | undefined;
  const keyOffset = firstKey?.range?.[0] ?? devices.range[0];
  const indent = keyOffset - lineStart(text, keyOffset);
  const block = gpusBlock(gpus, indent, dashOffsetOf(devices, text, indent));

  const existing = devices.items.find((pair) => isScalar(pair.key) && pair.key.value === "gpus");
  let start: number;
  let end: number;
  if (existing) {
    // Re-running replaces the list written before, so the edit is idempotent.
    const key = existing.key as Node;
    const value = (existing.value as Node | null) ?? key;
    start = lineStart(text, key.range?.[0] ?? 0);
    end = lineEnd(text, value.range?.[1] ?? start);
  } else {
    start = lineEnd(text, devices.range[1]);
    end = start;
  }
  const before = text.slice(0, start);
  const content = `${before}${before.endsWith("\n") || before === "" ? "" : "\n"}${block}${text.slice(end)}`;
  return { content, template: worker.name, gpus };
}
