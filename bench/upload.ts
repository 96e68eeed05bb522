// Upload benchmark: `gpuvm iso upload` of a 2 GiB image against the real API server (test cluster) and a
// stand-in CDI upload proxy on loopback, compared with `curl -T` of the same file to the same kind of proxy.
// Prints both throughputs, their ratio (target ≥ 0.95) and gpuvm's peak RSS (target < 200 MB, measured in
// the child process that ran the upload). The image is created sparse in a temporary folder and deleted.
// Run: npm run build && npm run bench:upload
import { execFile, execFileSync, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { rawRequest, startCluster } from "../test/cluster/harness.js";
import { serveAggregatedApis } from "../test/cluster/sim/aggregated.js";
import { startSimulator } from "../test/cluster/sim/index.js";
import { startUploadProxy } from "../test/cluster/sim/upload-proxy.js";
import { repoRoot } from "../test/support/labs.js";

const SIZE = 2 * 1024 ** 3;
const ns = "bench-upload";
const MB = 1024 * 1024;

function sparseIso(path: string): void {
  const fd = openSync(path, "w");
  const descriptor = Buffer.alloc(2048);
  descriptor[0] = 1;
  descriptor.write("CD001", 1, "latin1");
  writeSync(fd, descriptor, 0, descriptor.length, 0x8000);
  closeSync(fd);
  execFileSync("truncate", ["-s", String(SIZE), path]);
}

const dir = mkdtempSync(join(tmpdir(), "gpuvm-bench-upload-"));
const cluster = await startCluster();
try {
  const kc = cluster.kubeConfig("admin");
  await rawRequest(kc, "POST", "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: ns },
  });
  const sim = await startSimulator(kc, { namespace: ns });
  const apis = await serveAggregatedApis(kc, cluster, sim);
  const prefix = `sim-upload-token-${ns}-`;
  const proxy = await startUploadProxy({
    tokenValid: (token) =>
      token.startsWith(prefix) ? { namespace: ns, name: token.slice(prefix.length) } : undefined,
    onComplete: (n, name) => sim.completeUpload(n, name),
  });
  await rawRequest(
    kc,
    "PATCH",
    "/apis/cdi.kubevirt.io/v1beta1/cdiconfigs/config?fieldManager=bench&force=true",
    JSON.stringify({
      apiVersion: "cdi.kubevirt.io/v1beta1",
      kind: "CDIConfig",
      metadata: { name: "config" },
      spec: { uploadProxyURLOverride: proxy.url },
    }),
    "application/apply-patch+yaml",
  );
  await rawRequest(kc, "POST", "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "cdi" },
  });
  await rawRequest(kc, "POST", "/api/v1/namespaces/cdi/configmaps", {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cdi-uploadproxy-signer-bundle", namespace: "cdi" },
    data: { "ca-bundle.crt": proxy.ca },
  });

  const image = join(dir, "bench.iso");
  sparseIso(image);
  if (statSync(image).size !== SIZE) throw new Error("image size");

  // gpuvm, in a child process of its own so its peak RSS is its alone.
  const child = `
    const { main } = await import(${JSON.stringify(join(repoRoot, "dist/cli/main.js"))});
    const code = await main(["node", "gpuvm", ...JSON.parse(process.env.ARGS)]);
    process.stderr.write("maxrss-kb " + process.resourceUsage().maxRSS + "\\n");
    process.exit(code);`;
  const args = [
    "iso",
    "upload",
    image,
    "--name",
    "bench",
    "--kubeconfig",
    cluster.kubeconfigPath,
    "--context",
    "admin",
    "-n",
    ns,
  ];
  const started = performance.now();
  // Asynchronous: the simulator and the proxy run in this process and must keep serving meanwhile.
  const proc = spawn(process.execPath, ["--input-type=module", "-e", child], {
    env: { ...process.env, ARGS: JSON.stringify(args) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  proc.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const status = await new Promise<number | null>((resolve) => proc.on("close", resolve));
  const run = { status, stderr };
  const gpuvmWall = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`gpuvm failed: ${run.stderr}`);
  const transfer = /sent [\d.]+ GiB of [\d.]+ GiB in ([\d.]+) s/.exec(run.stderr);
  const rssKb = Number(/maxrss-kb (\d+)/.exec(run.stderr)?.[1]);
  const gpuvmTransfer = Number(transfer?.[1]);

  // curl -T to the same proxy (a fresh volume and token, same TLS trust), timed by curl itself.
  await rawRequest(kc, "POST", `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes`, {
    apiVersion: "cdi.kubevirt.io/v1beta1",
    kind: "DataVolume",
    metadata: { name: "curl", namespace: ns },
    spec: { source: { upload: {} }, storage: { resources: { requests: { storage: "3Gi" } } } },
  });
  for (let i = 0; i < 100; i++) {
    const dv = await rawRequest(kc, "GET", `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes/curl`);
    if ((dv.body as any).status?.phase === "UploadReady") break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const caFile = join(dir, "ca.crt");
  execFileSync("sh", ["-c", `cat > ${caFile}`], { input: proxy.ca });
  const curlStarted = performance.now();
  const { stdout: curlOut } = await promisify(execFile)(
    "curl",
    [
      "-sS",
      "--fail",
      "--cacert",
      caFile,
      "-H",
      `Authorization: Bearer ${prefix}curl`,
      "-H",
      "Content-Type: application/octet-stream",
      "-T",
      image,
      "-X",
      "POST",
      "-o",
      "/dev/null",
      "-w",
      "%{time_total}",
      `${proxy.url}/v1beta1/upload`,
    ],
    { encoding: "utf8" },
  );
  const curlWall = (performance.now() - curlStarted) / 1000;
  const curlTime = Number(curlOut.trim());

  const rate = (seconds: number) => SIZE / MB / seconds;
  console.log(`image: ${SIZE / 1024 ** 3} GiB (sparse), proxy: ${proxy.url}`);
  console.log(
    `curl -T:            ${rate(curlTime).toFixed(0)} MiB/s (${curlTime.toFixed(2)} s; ${curlWall.toFixed(2)} s with process start)`,
  );
  console.log(`gpuvm transfer:     ${rate(gpuvmTransfer).toFixed(0)} MiB/s (${gpuvmTransfer.toFixed(2)} s)`);
  console.log(
    `gpuvm whole command: ${rate(gpuvmWall).toFixed(0)} MiB/s (${gpuvmWall.toFixed(2)} s incl. node start, DataVolume, token, checksum annotation)`,
  );
  console.log(`ratio gpuvm/curl (transfer): ${(curlTime / gpuvmTransfer).toFixed(3)} (target >= 0.95)`);
  console.log(`ratio gpuvm/curl (whole command vs curl process): ${(curlWall / gpuvmWall).toFixed(3)}`);
  console.log(`gpuvm peak RSS: ${(rssKb / 1024).toFixed(1)} MB (target < 200 MB)`);
  console.log(
    `proxy received: ${proxy.uploads.map((u) => `${u.name} ${u.bytes} bytes complete=${u.complete}`).join("; ")}`,
  );
  await proxy.close();
  await apis.stop();
  await sim.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
  await cluster.stop();
}
