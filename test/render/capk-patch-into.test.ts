// --patch-into: the GPUs go into clusterctl's worker template and nothing else in the file changes.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ManifestError, patchClusterctlManifest } from "../../src/render/capk/patch-into.js";
import { repoRoot } from "../support/labs.js";

const FIXTURE = resolve(repoRoot, "test/fixtures/capk/clusterctl-kubevirt-cl.yaml");
const original = readFileSync(FIXTURE, "utf8");
const pool = {
  cluster: "kubevirt-cl",
  pool: "md-0",
  gpus: [{ deviceName: "nvidia.com/gpu_dev1", name: "gpu1" }],
};
const DEVICES = [
  "spec",
  "template",
  "spec",
  "virtualMachineTemplate",
  "spec",
  "template",
  "spec",
  "domain",
  "devices",
];

/** The gpus block as the worker template's devices mapping indents it. */
function block(deviceName: string, name: string): string {
  const pad = " ".repeat(18);
  return `${pad}gpus:\n${pad}  - deviceName: ${deviceName}\n${pad}    name: ${name}\n`;
}

function documents(text: string) {
  return parseAllDocuments(text).map((doc) => doc.toJS());
}

describe("patchClusterctlManifest", () => {
  const result = patchClusterctlManifest("cluster.yaml", original, [pool]);

  it("inserts only the gpus block, after the md-0 worker template's disks", () => {
    const inserted = block("nvidia.com/gpu_dev1", "gpu1");
    const at = result.content.indexOf(inserted);
    expect(at).toBeGreaterThan(0);
    // Take the block out again and the original comes back, byte for byte (comments and quoting included).
    expect(result.content.slice(0, at) + result.content.slice(at + inserted.length)).toBe(original);
    const documentStart = original.lastIndexOf("\n---\n", at);
    expect(original.slice(documentStart, at)).toContain(
      'kind: KubevirtMachineTemplate\nmetadata:\n  name: "kubevirt-cl-md-0"',
    );
    expect(original.slice(0, at)).toMatch(/name: containervolume # the node image below\n$/);
    expect(result.template).toBe("kubevirt-cl-md-0");
  });

  it("leaves the parsed manifest equal but for the worker's gpus", () => {
    const before = documents(original);
    const after = documents(result.content);
    expect(after).toHaveLength(7);
    const worker = after[5];
    let devices = worker;
    for (const key of DEVICES) devices = devices[key];
    expect(devices.gpus).toEqual(pool.gpus);
    delete devices.gpus;
    expect(after).toEqual(before);
  });

  it("replaces gpus it wrote before, so running it twice changes nothing more", () => {
    expect(patchClusterctlManifest("cluster.yaml", result.content, [pool]).content).toBe(result.content);
    const other = { ...pool, gpus: [{ deviceName: "nvidia.com/gpu_dev2", name: "gpu2" }] };
    const again = patchClusterctlManifest("cluster.yaml", result.content, [other]).content;
    expect(again).toBe(
      original.replace(/(# the node image below\n)/, `$1${block("nvidia.com/gpu_dev2", "gpu2")}`),
    );
  });

  it("refuses a file that is not a clusterctl manifest", () => {
    const text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
    expect(() => patchClusterctlManifest("cm.yaml", text, [pool])).toThrow(ManifestError);
    expect(() => patchClusterctlManifest("cm.yaml", text, [pool])).toThrow(
      "cm.yaml is not a clusterctl manifest: expected a Cluster (cluster.x-k8s.io) and KubevirtMachineTemplates",
    );
    expect(() => patchClusterctlManifest("bad.yaml", "a: [1,\n", [pool])).toThrow(
      "bad.yaml is not valid YAML",
    );
  });

  it("says which template it expected when there is no worker template", () => {
    const withoutWorker = original.replaceAll('"kubevirt-cl-md-0"', '"kubevirt-cl-workers"');
    expect(() => patchClusterctlManifest("cluster.yaml", withoutWorker, [pool])).toThrow(
      "cluster.yaml has no worker template: expected a KubevirtMachineTemplate named <cluster>-md-0 (found kubevirt-cl-control-plane, kubevirt-cl-workers)",
    );
  });

  it("refuses two worker templates", () => {
    const start = original.indexOf(
      'apiVersion: infrastructure.cluster.x-k8s.io/v1alpha1\nkind: KubevirtMachineTemplate\nmetadata:\n  name: "kubevirt-cl-md-0"',
    );
    const end = original.indexOf("---", start);
    const twice = `${original}---\n${original.slice(start, end).replace("kubevirt-cl-md-0", "other-md-0")}`;
    expect(() => patchClusterctlManifest("cluster.yaml", twice, [pool])).toThrow(
      "cluster.yaml has 2 worker templates named *-md-0 (kubevirt-cl-md-0, other-md-0): expected exactly one",
    );
  });

  it("picks the lab pool of the manifest's cluster when the lab has several", () => {
    const other = { cluster: "other", pool: "md-0", gpus: [{ deviceName: "amd.com/x", name: "x" }] };
    const chosen = patchClusterctlManifest("cluster.yaml", original, [other, pool]);
    expect(chosen.gpus).toEqual(pool.gpus);
    expect(() =>
      patchClusterctlManifest("cluster.yaml", original, [other, { ...other, pool: "md-1" }]),
    ).toThrow(
      'cluster.yaml is cluster "kubevirt-cl": expected exactly one worker pool of the lab for it (the lab has: other-md-0, other-md-1)',
    );
  });
});
