// Deterministic YAML and JSON for rendered objects: the same Lab always gives the same bytes.
import { stringify } from "yaml";
import type { KubeObject } from "../render/object.js";

// YAML 1.1 quoting: Kubernetes tools read YAML 1.1, where an unquoted 12:34:56:12:34:56 MAC is a number.
const YAML_OPTIONS = { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false } as const;

export function toYaml(value: unknown): string {
  return stringify(value, YAML_OPTIONS);
}

/** A multi-document stream, as `kubectl apply -f -` reads it. */
export function toYamlStream(objects: KubeObject[]): string {
  return objects.map((object) => `---\n${toYaml(object)}`).join("");
}

/** One `kind: List`, as `kubectl get -o json` prints several objects. */
export function toJsonList(objects: KubeObject[]): string {
  return `${JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }, null, 2)}\n`;
}
