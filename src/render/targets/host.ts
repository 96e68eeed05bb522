// The host target: the persistent configuration of every lab host with a GPU or a bridge.
import { dottedPath, InputError, type Problem } from "../../config/problem.js";
import type { Host, Lab } from "../../model/lab.js";
import { type HostFile, type HostRenderInput, renderHostFiles, validateHostInput } from "../host/index.js";
import type { RenderOutput, TextFile } from "../object.js";

export function hostRenderInput(host: Host): HostRenderInput | string {
  if (!host.cpuVendor)
    return "cpuVendor is needed by the host target (intel, amd or arm) to pick the IOMMU argument";
  return {
    name: host.name,
    cpuVendor: host.cpuVendor,
    gpuFunctions: host.gpus.flatMap((gpu) => gpu.functions.map((fn) => ({ address: fn.address, id: fn.id }))),
    ...(host.bridge ? { bridge: host.bridge } : {}),
  };
}

/** What to do with each file, so the folder explains itself. */
function installNotes(host: string, files: HostFile[]): TextFile {
  const lines = [`# Host files for ${host}, written by gpuvm render --target host.`, ""];
  for (const f of files) lines.push(`${f.path}`, `  ${f.install} -> ${f.target}`, `  ${f.description}`, "");
  return { path: `${host}/INSTALL.txt`, content: lines.join("\n") };
}

export function renderHostTarget(lab: Lab): RenderOutput {
  const problems: Problem[] = [];
  const files: TextFile[] = [];
  for (const host of lab.hosts) {
    const input = hostRenderInput(host);
    if (typeof input === "string") {
      problems.push({
        ...lab.source.locate(host.path, { key: true }),
        path: dottedPath(host.path),
        message: input,
      });
      continue;
    }
    const invalid = validateHostInput(input);
    for (const message of invalid) {
      problems.push({ ...lab.source.locate(host.path, { key: true }), path: dottedPath(host.path), message });
    }
    if (invalid.length) continue;
    const rendered = renderHostFiles(input);
    files.push(...rendered.map((f) => ({ path: `${host.name}/${f.path}`, content: f.contents })));
    files.push(installNotes(host.name, rendered));
  }
  if (problems.length) throw new InputError(problems);
  return { objects: [], files };
}
