// Where the tests read the upstream API schemas from. Either a folder laid out like
// ../shared/schemas (GPUVM_SCHEMAS_DIR, or ../shared/schemas beside the repository: the copies
// of upstream's own files), or, in any other clone, the folder `bash test/prepare` fills from the
// Go modules pinned in test/schemas plus the fixtures committed under test/fixtures/upstream.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../..");

/** A schema file that is missing, with the step that provides it (no stack trace needed). */
export class SchemasNotPrepared extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SchemasNotPrepared";
    // The message says all there is: a stack would only point into this file.
    this.stack = `${this.name}: ${message}`;
  }
}

/** The upstream files the tests read, by their path in a ../shared/schemas-like folder. */
export type SchemaFile =
  | "kubevirt/swagger.json"
  | "kubevirt/kv-resource.yaml"
  | "containerized-data-importer/swagger.json"
  | "network-attachment-definition-client/networks-crd.yaml"
  | "harvester-pcidevices/crds.yaml"
  | "cluster-api-provider-kubevirt/infrastructure.cluster.x-k8s.io_kubevirtmachinetemplates.yaml"
  | "cluster-api-provider-kubevirt/infrastructure.cluster.x-k8s.io_kubevirtmachines.yaml";

/** Files no published Go module carries: trimmed copies committed to the repository. */
const FIXTURES: Partial<Record<SchemaFile, string>> = {
  "harvester-pcidevices/crds.yaml": "test/fixtures/upstream/harvester-pcidevices/crds.yaml",
};

export interface SchemaSource {
  /** "override": a folder of upstream's own files; "prepared": the Go modules and fixtures. */
  kind: "override" | "prepared";
  dir: string;
}

/** The folder test/test-cluster/build writes, named by the hash of the pins (as build computes it). */
export function preparedSchemasDir(): string {
  const pins = ["go.mod", "go.sum", "main.go", "crd-modules.tsv"].map((name) =>
    readFileSync(join(here, name)),
  );
  const stamp = createHash("sha256").update(Buffer.concat(pins)).digest("hex").slice(0, 16);
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "gpuvm", `upstream-schemas-${stamp}`);
}

export function schemaSource(): SchemaSource {
  const override = process.env.GPUVM_SCHEMAS_DIR;
  if (override) {
    if (!existsSync(override)) throw new SchemasNotPrepared(`GPUVM_SCHEMAS_DIR=${override} does not exist`);
    return { kind: "override", dir: override };
  }
  const shared = resolve(repoRoot, "../shared/schemas");
  if (existsSync(shared)) return { kind: "override", dir: shared };
  return { kind: "prepared", dir: preparedSchemasDir() };
}

/**
 * The path of one upstream file, or undefined for a file only an override folder has (KubeVirt's
 * own KubeVirt-CR CRD: without it the CRD is built from the KubeVirt definitions).
 * Throws SchemasNotPrepared, naming `bash test/prepare`, when the prepared folder is missing.
 */
export function schemaFile(file: SchemaFile, source = schemaSource()): string | undefined {
  let path: string;
  if (source.kind === "override") {
    path = join(source.dir, file);
    if (!existsSync(path)) {
      if (file === "kubevirt/kv-resource.yaml") return undefined;
      throw new SchemasNotPrepared(`${path} is missing from the schemas folder ${source.dir}`);
    }
    return path;
  }
  const fixture = FIXTURES[file];
  if (fixture) return resolve(repoRoot, fixture);
  if (file === "kubevirt/kv-resource.yaml") return undefined;
  path = join(source.dir, file);
  if (!existsSync(join(source.dir, "complete")) || !existsSync(path)) {
    throw new SchemasNotPrepared(
      `the upstream schemas are not prepared (${source.dir} is missing or incomplete): run \`bash test/prepare\`, ` +
        "which builds them from the Go modules pinned in test/schemas (or set GPUVM_SCHEMAS_DIR to a copy of upstream's files)",
    );
  }
  return path;
}

/** A one-line account of the source, for logs. */
export function describeSchemaSource(source = schemaSource()): string {
  return source.kind === "override"
    ? `upstream schema files in ${source.dir}`
    : `schemas prepared from the pinned Go modules in ${source.dir} and test/fixtures/upstream`;
}
