// `render --out DIR`: one file per object plus a kustomization.yaml, ready for Argo CD or Flux.
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
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
    if (seen.has(file.path)) throw new Error(`two objects would be written to ${file.path}`);
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

/** Writes files under `root`, each through a temporary name so a crash never leaves half a file. */
export async function writeFiles(root: string, files: TextFile[]): Promise<string[]> {
  const written: string[] = [];
  for (const file of files) {
    const target = join(root, file.path);
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.gpuvm-tmp`;
    await writeFile(temporary, file.content);
    await rename(temporary, target);
    written.push(target);
  }
  return written;
}
