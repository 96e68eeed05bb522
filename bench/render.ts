// Render benchmark: a generated lab of 100 and of 1,000 VMs is parsed, normalised, rendered and validated
// against the upstream schemas. Prints the times and the ratio (linear growth means about 10x).
// Run: npm run bench:render
import { performance } from "node:perf_hooks";
import { parseModel } from "../src/model/index.js";
import { renderKubevirtTarget } from "../src/render/targets/kubevirt.js";
import { upstreamSchemas } from "../test/support/upstream-schemas.js";
import { vmMac } from "./vm-mac.js";

function generatedLab(vmCount: number): string {
  const hostCount = Math.ceil(vmCount / 10);
  const lines = ["apiVersion: gpuvm/v1alpha1", "kind: Lab", "metadata: { name: bench }", "hosts:"];
  for (let h = 0; h < hostCount; h++) {
    const bus = (h % 256).toString(16).padStart(2, "0");
    lines.push(
      `  host${h}:`,
      "    capacity: { cpu: 64, memory: 256Gi }",
      "    gpus:",
      "      gpu0:",
      "        functions:",
      `          - { address: "0000:${bus}:00.0", id: "10de:2206", resource: nvidia.com/rtx3080 }`,
      `          - { address: "0000:${bus}:00.1", id: "10de:1aef", resource: nvidia.com/rtx3080-audio }`,
    );
  }
  lines.push(
    "storage:",
    "  system: { replicas: 3, disk: nvme }",
    "  data: { replicas: 1, disk: hdd }",
    "networks:",
    "  lan: { bridge: br0, subnet: 10.0.0.0/16 }",
    "vms:",
  );
  for (let v = 0; v < vmCount; v++) {
    lines.push(
      `  vm${v}:`,
      `    os: ${v % 2 === 0 ? "linux" : "windows11"}`,
      "    disks: { system: { size: 64Gi, storage: system }, data: { size: 1Ti, storage: data } }",
      `    nics: { lan: { mac: "${vmMac(v)}" } }`,
      "    modes:",
      `      live: { host: host${v % hostCount}, cpu: 50%, memory: 50%, gpus: [gpu0] }`,
      "      maintenance: { cpu: 2, memory: 4Gi }",
    );
  }
  return `${lines.join("\n")}\n`;
}

function measure(vmCount: number): { ms: number; objects: number } {
  const text = generatedLab(vmCount);
  const schemas = upstreamSchemas();
  const start = performance.now();
  const objects = renderKubevirtTarget(parseModel(text, `bench-${vmCount}.yaml`)).objects;
  for (const object of objects) {
    const errors = schemas.errors(object);
    if (errors.length > 0) throw new Error(`invalid object: ${errors.join("; ")}`);
  }
  return { ms: performance.now() - start, objects: objects.length };
}

upstreamSchemas(); // compile the schemas once, outside the timings
measure(20); // warm up the JIT
const small = measure(100);
const large = measure(1000);
console.log(`100 VMs:   ${small.objects} objects rendered and validated in ${small.ms.toFixed(0)} ms`);
console.log(`1,000 VMs: ${large.objects} objects rendered and validated in ${large.ms.toFixed(0)} ms`);
console.log(`ratio: ${(large.ms / small.ms).toFixed(1)}x for 10x the VMs (linear growth is about 10x)`);
