// Validates rendered objects against the upstream API schemas: KubeVirt's and CDI's definitions,
// the CRDs of Multus, Harvester and CAPK (test/schemas/locate.ts says where they come from: a copy
// of upstream's files, or the pinned Go modules and committed fixtures `bash test/prepare` lays out).
// Unknown fields are errors: every object schema is closed unless upstream keeps unknown fields.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { type SchemaSource, SchemasNotPrepared, schemaFile, schemaSource } from "../schemas/locate.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

type Json = Record<string, unknown>;

/**
 * Kubernetes' own OpenAPI (core kinds: Namespace, StorageClass, PriorityClass, RBAC, …), from the
 * k8s.io/kubernetes Go module the test cluster is built from (`bash test/prepare` downloads it).
 */
export function kubernetesSwaggerPath(): string {
  const goMod = readFileSync(resolve(repoRoot, "test/test-cluster/apiserver/go.mod"), "utf8");
  const version = /^\s*k8s\.io\/kubernetes (v\S+)/m.exec(goMod)?.[1];
  if (!version) throw new Error("test/test-cluster/apiserver/go.mod pins no k8s.io/kubernetes version");
  let cache = process.env.GOMODCACHE;
  try {
    cache ||= execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).trim();
  } catch {
    throw new SchemasNotPrepared(
      "Go is not installed: `bash test/prepare` needs it to download k8s.io/kubernetes",
    );
  }
  const path = join(cache, `k8s.io/kubernetes@${version}`, "api/openapi-spec/swagger.json");
  if (!existsSync(path)) {
    throw new SchemasNotPrepared(
      `Kubernetes OpenAPI not found at ${path}: run \`bash test/prepare\` to download the module`,
    );
  }
  return path;
}

/** Closes every object schema that lists properties, so unknown fields fail. */
function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (node === null || typeof node !== "object") return node;
  const result: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    // Property names are data, not schema keywords: recurse into their schemas only.
    if (key === "properties" || key === "definitions") {
      result[key] = Object.fromEntries(
        Object.entries(value as Json).map(([name, sub]) => [name, closeObjects(sub)]),
      );
    } else {
      result[key] = closeObjects(value);
    }
  }
  if (result["x-kubernetes-int-or-string"] === true) {
    delete result.type;
    result.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  if (result.format === "int-or-string") {
    delete result.type;
    delete result.format;
    result.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  const open = result["x-kubernetes-preserve-unknown-fields"] === true;
  if (result.properties && result.additionalProperties === undefined && !open)
    result.additionalProperties = false;
  return result;
}

function readYamlDocuments(path: string, stripTemplate = false): Json[] {
  let text = readFileSync(path, "utf8");
  if (stripTemplate) {
    // The Harvester chart wraps its CRDs in Helm conditionals; keep the apiextensions v1 branch.
    const lines = text.split("\n");
    const elseIndex = lines.findIndex((line) => line.trim().startsWith("{{- else"));
    text = lines
      .slice(0, elseIndex === -1 ? lines.length : elseIndex)
      .filter((line) => !line.trim().startsWith("{{"))
      .join("\n");
  }
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Json)
    .filter((doc) => doc !== null);
}

interface CrdVersionSchema {
  group: string;
  kind: string;
  version: string;
  schema: Json;
}

function crdSchemas(path: string, stripTemplate = false): CrdVersionSchema[] {
  const result: CrdVersionSchema[] = [];
  for (const doc of readYamlDocuments(path, stripTemplate)) {
    if (doc.kind !== "CustomResourceDefinition") continue;
    const spec = doc.spec as { group: string; names: { kind: string }; versions: Json[] };
    for (const version of spec.versions) {
      const schema = (version.schema as { openAPIV3Schema?: Json } | undefined)?.openAPIV3Schema;
      if (!schema) continue;
      // The API server always accepts apiVersion, kind and metadata at the root, listed or not.
      const properties = {
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: { type: "object" },
      };
      const root = { ...schema, properties: { ...properties, ...(schema.properties as Json | undefined) } };
      result.push({ group: spec.group, kind: spec.names.kind, version: String(version.name), schema: root });
    }
  }
  return result;
}

/** The schema of `apiVersion/kind` (or an explanation why there is none). */
export class UpstreamSchemas {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly source: SchemaSource = schemaSource()) {
    const file = (name: Parameters<typeof schemaFile>[0]): string => schemaFile(name, source) as string;
    const kubevirt = JSON.parse(readFileSync(file("kubevirt/swagger.json"), "utf8")) as Json;
    const cdi = JSON.parse(readFileSync(file("containerized-data-importer/swagger.json"), "utf8")) as Json;
    this.ajv.addSchema({ $id: "kubevirt.json", definitions: closeObjects(kubevirt.definitions) });
    this.ajv.addSchema({ $id: "cdi.json", definitions: closeObjects(cdi.definitions) });

    this.swagger("kubevirt.io/v1", "VirtualMachine", "kubevirt.json", "v1.VirtualMachine");
    this.swagger("kubevirt.io/v1", "VirtualMachineInstance", "kubevirt.json", "v1.VirtualMachineInstance");
    this.swagger("kubevirt.io/v1", "KubeVirt", "kubevirt.json", "v1.KubeVirt");
    this.swagger("cdi.kubevirt.io/v1beta1", "DataVolume", "cdi.json", "v1beta1.DataVolume");
    this.swagger("cdi.kubevirt.io/v1beta1", "CDI", "cdi.json", "v1beta1.CDI");
    // Core kinds from Kubernetes' own published OpenAPI: every definition that names its kind.
    const kubernetes = JSON.parse(readFileSync(kubernetesSwaggerPath(), "utf8")) as Json;
    const k8sDefinitions = kubernetes.definitions as Record<string, Json>;
    this.ajv.addSchema({ $id: "kubernetes.json", definitions: closeObjects(k8sDefinitions) });
    for (const [name, definition] of Object.entries(k8sDefinitions)) {
      const kinds = definition["x-kubernetes-group-version-kind"] as
        | { group: string; version: string; kind: string }[]
        | undefined;
      for (const gvk of kinds ?? []) {
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        if (!this.has(apiVersion, gvk.kind)) this.swagger(apiVersion, gvk.kind, "kubernetes.json", name);
      }
    }

    const crds = [
      ...crdSchemas(file("network-attachment-definition-client/networks-crd.yaml")),
      ...crdSchemas(file("harvester-pcidevices/crds.yaml"), true),
      ...crdSchemas(
        file("cluster-api-provider-kubevirt/infrastructure.cluster.x-k8s.io_kubevirtmachinetemplates.yaml"),
      ),
      ...crdSchemas(
        file("cluster-api-provider-kubevirt/infrastructure.cluster.x-k8s.io_kubevirtmachines.yaml"),
      ),
    ];
    for (const crd of crds)
      this.add(`${crd.group}/${crd.version}`, crd.kind, closeObjects(crd.schema) as Json);
    // The KubeVirt CR's own CRD (kv-resource.yaml), where the folder has it, is a second check of
    // KubeVirt objects; no published Go module carries it, so the prepared schemas go without.
    const kvResource = schemaFile("kubevirt/kv-resource.yaml", source);
    for (const crd of kvResource ? crdSchemas(kvResource) : []) {
      this.add(`${crd.group}/${crd.version}`, `${crd.kind}#crd`, closeObjects(crd.schema) as Json);
    }
  }

  private swagger(apiVersion: string, kind: string, document: string, definition: string): void {
    this.add(apiVersion, kind, { $ref: `${document}#/definitions/${definition}` });
  }

  private add(apiVersion: string, kind: string, schema: Json): void {
    this.validators.set(`${apiVersion}/${kind}`, this.ajv.compile(schema));
  }

  has(apiVersion: string, kind: string): boolean {
    return this.validators.has(`${apiVersion}/${kind}`);
  }

  /** Error lines for one object; empty when valid. Throws when no upstream schema covers its kind. */
  errors(object: { apiVersion: string; kind: string; metadata?: { name?: string } }): string[] {
    const keys = [`${object.apiVersion}/${object.kind}`, `${object.apiVersion}/${object.kind}#crd`];
    const validators = keys.map((key) => this.validators.get(key)).filter((v): v is ValidateFunction => !!v);
    if (validators.length === 0)
      throw new Error(`no upstream schema for ${object.apiVersion} ${object.kind}`);
    const name = `${object.kind}/${object.metadata?.name ?? "?"}`;
    return validators.flatMap((validate) =>
      validate(object)
        ? []
        : (validate.errors ?? []).map((error) => {
            const extra =
              error.keyword === "additionalProperties"
                ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})`
                : "";
            return `${name}${error.instancePath}: ${error.message}${extra}`;
          }),
    );
  }
}

let shared: UpstreamSchemas | undefined;

/** One validator per test process: compiling the swagger takes a moment. */
export function upstreamSchemas(): UpstreamSchemas {
  shared ??= new UpstreamSchemas();
  return shared;
}
