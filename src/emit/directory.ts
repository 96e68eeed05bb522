// `render --out DIR`: one file per object plus a kustomization.yaml, ready for Argo CD or Flux.
// output-folder.ts writes them.

import { GpuvmError } from "../errors.js";
import type { KubeObject, RenderOutput, TextFile } from "../render/object.js";
import { toYaml } from "./yaml.js";

export function objectFileName(object: KubeObject): string {
  return `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`;
}

/** The files a target's output becomes, in order, relative to its folder. */
export function layoutTarget(output: RenderOutput): TextFile[] {
  const files: TextFile[] = output.objects.map((object) => ({
    path: objectFileName(object),
    content: toYaml(object),
  }));
  const seen = new Set<string>();
  for (const file of files) {
    // Same kind and name in two namespaces cannot happen within one lab; guard anyway.
    if (seen.has(file.path)) throw new GpuvmError(`two objects would be written to ${file.path}`);
    seen.add(file.path);
  }
  if (files.length > 0) {
    const kustomization = {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: files.map((file) => file.path),
    };
    files.push({ path: "kustomization.yaml", content: toYaml(kustomization) });
  }
  return [...files, ...output.files];
}
