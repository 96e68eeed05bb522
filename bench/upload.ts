// Upload benchmark: `gpuvm iso upload` of a 2 GiB image against the real API server (test cluster) and a
// stand-in CDI upload proxy on loopback, compared with `curl -T` of the same file to the same proxy.
// The two alternate for ROUNDS rounds (default 5), each into a fresh volume, and the medians are compared:
// on a small machine one run of either can be a third off the next. Prints both throughputs, their ratio
// (target ≥ 0.95), gpuvm's peak RSS (target < 200 MB, measured in the child process that ran the upload),
// and the CPU each used beside what the SHA-256 alone costs (gpuvm computes it, curl does not).
// Every upload is checked: the proxy got every byte, and gpuvm's recorded SHA-256 is the one the proxy
// computed of what it received. The image is created sparse in a temporary folder and deleted.
// Run: npm run build && npm run bench:upload
import { type ChildProcess, execFile, execFileSync, fork, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../test/support/labs.js";
import { rawRequest, startCluster } from "../test/test-cluster/harness.js";
import { serveAggregatedApis } from "../test/test-cluster/sim/aggregated.js";
import { startSimulator } from "../test/test-cluster/sim/index.js";
import type { ReceivedUpload } from "../test/test-cluster/sim/upload-proxy.js";
import { median } from "./median.js";

const SIZE = 2 * 1024 ** 3;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const ns = "bench-upload";
const MiB = 1024 * 1024;
const tokenPrefix = `sim-upload-token-${ns}-`;
const dvPath = (name = "") =>
  `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes${name ? `/${name}` : ""}`;

function sparseIso(path: string): void {
  const fd = openSync(path, "w");
  const descriptor = Buffer.alloc(2048);
  descriptor[0] = 1;
  descriptor.write("CD001", 1, "latin1");
  writeSync(fd, descriptor, 0, descriptor.length, 0x8000);
  closeSync(fd);
  execFileSync("truncate", ["-s", String(SIZE), path]);
}

/** Runs a program and tells what it printed and the CPU seconds (user and system) it used. */
async function withCpu(program: string, args: string[]) {
  // bash's `times` prints its children's CPU on its second line: "0m1.358s 0m0.212s".
  const { stdout } = await promisify(execFile)(
    "bash",
    ["-c", `${program} "$@" && echo '--' && times`, "bash", ...args],
    { encoding: "utf8" },
  );
  const [output = "", times = ""] = stdout.split("--\n");
  const children = times.trim().split("\n")[1] ?? "";
  const cpu = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, [, minutes, seconds]) => sum + Number(minutes) * 60 + Number(seconds),
    0,
  );
  return { output: output.trim(), cpu };
}

/** The proxy's process, and what it reports: its address, and each upload it took in full. */
async function startProxyProcess(completeUpload: (namespace: string, name: string) => Promise<void>) {
  const received: ReceivedUpload[] = [];
  const child: ChildProcess = fork(join(repoRoot, "bench/upload-proxy-process.ts"), {
    env: { ...process.env, TOKEN_PREFIX: tokenPrefix, NAMESPACE: ns },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await new Promise<{ url: string; ca: string }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`upload proxy exited (${code})`)));
    child.on("message", (message: any) => {
      if (message.ready) resolve(message.ready);
      if (message.upload) received.push(message.upload);
      if (message.complete) {
        const { id, namespace, name } = message.complete;
        completeUpload(namespace, name).then(
          () => child.send({ completed: id }),
          (error: unknown) => child.send({ completed: id, error: String(error) }),
        );
      }
    });
  });
  return { ...ready, received, stop: () => child.disconnect() };
}

const dir = mkdtempSync(join(tmpdir(), "gpuvm-bench-upload-"));
const cluster = await startCluster();
try {
  const kc = cluster.kubeConfig("admin");
  const post = (path: string, body: object) => rawRequest(kc, "POST", path, body);
  await post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  const sim = await startSimulator(kc, { namespace: ns });
  const apis = await serveAggregatedApis(kc, cluster, sim);
  const proxy = await startProxyProcess((n, name) => sim.completeUpload(n, name));
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
  await post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "cdi" } });
  await post("/api/v1/namespaces/cdi/configmaps", {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cdi-uploadproxy-signer-bundle", namespace: "cdi" },
    data: { "ca-bundle.crt": proxy.ca },
  });
  const caFile = join(dir, "ca.crt");
  writeFileSync(caFile, proxy.ca);
  const image = join(dir, "bench.iso");
  sparseIso(image);
  // Read once before timing, so that neither tool pays for bringing the image into the page cache.
  execFileSync("sh", ["-c", 'cat "$1" > /dev/null', "sh", image]);
  // What the checksum alone costs, which curl does not compute: the least gpuvm spends over curl
  // (OpenSSL's SHA-256, the code Node's crypto runs).
  const hashSeconds = (await withCpu("openssl", ["dgst", "-sha256", image])).cpu;

  // gpuvm as users run it (bin/gpuvm.js), in a child process of its own so its peak RSS is its alone;
  // the child writes its usage as it exits.
  const gpuvmChild = `
    process.argv = [process.execPath, "gpuvm", ...JSON.parse(process.env.ARGS)];
    process.on("exit", () => {
      const usage = process.resourceUsage();
      process.stderr.write("maxrss-kb " + usage.maxRSS + " cpu-us " + (usage.userCPUTime + usage.systemCPUTime) + "\\n");
    });
    await import(${JSON.stringify(join(repoRoot, "bin/gpuvm.js"))});`;
  async function gpuvmUpload(name: string) {
    const args = ["iso", "upload", image, "--name", name, "--kubeconfig", cluster.kubeconfigPath];
    args.push("--context", "admin", "-n", ns, "-o", "json");
    const started = performance.now();
    // Asynchronous: the simulator runs in this process and must keep serving meanwhile.
    const proc = spawn(process.execPath, ["--input-type=module", "-e", gpuvmChild], {
      env: { ...process.env, ARGS: JSON.stringify(args) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    proc.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const status = await new Promise<number | null>((resolve) => proc.on("close", resolve));
    const wall = (performance.now() - started) / 1000;
    if (status !== 0) throw new Error(`gpuvm failed: ${stderr}`);
    const transfer = JSON.parse(stdout).transferSeconds as number;
    const [, rssKb, cpuUs] = /maxrss-kb (\d+) cpu-us (\d+)/.exec(stderr) ?? [];
    const rssMB = Number(rssKb) / 1024;
    const cpu = Number(cpuUs) / 1e6;
    const dv = (await rawRequest(kc, "GET", dvPath(name))).body as any;
    const recorded = dv.metadata?.annotations?.["gpuvm.io/iso-sha256"];
    const got = proxy.received.find((u) => u.name === name);
    if (!got || got.bytes !== SIZE || got.sha256 !== recorded)
      throw new Error(`${name}: proxy got ${got?.bytes} bytes (${got?.sha256}), gpuvm recorded ${recorded}`);
    return { transfer, wall, rssMB, cpu };
  }

  // curl -T to the same proxy (a fresh volume and token, same TLS trust), timed by curl itself.
  async function curlUpload(name: string) {
    await post(dvPath(), {
      apiVersion: "cdi.kubevirt.io/v1beta1",
      kind: "DataVolume",
      metadata: { name, namespace: ns },
      spec: { source: { upload: {} }, storage: { resources: { requests: { storage: "3Gi" } } } },
    });
    for (let i = 0; i < 100; i++) {
      const dv = await rawRequest(kc, "GET", dvPath(name));
      if ((dv.body as any).status?.phase === "UploadReady") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const started = performance.now();
    const { output, cpu } = await withCpu(
      "curl",
      ["-sS", "--fail", "--cacert", caFile, "-H", `Authorization: Bearer ${tokenPrefix}${name}`]
        .concat(["-H", "Content-Type: application/octet-stream", "-T", image, "-X", "POST"])
        .concat(["-o", "/dev/null", "-w", "%{time_total}", `${proxy.url}/v1beta1/upload`]),
    );
    const wall = (performance.now() - started) / 1000;
    const got = proxy.received.find((u) => u.name === name);
    if (got?.bytes !== SIZE) throw new Error(`${name}: proxy got ${got?.bytes} bytes`);
    return { transfer: Number(output), wall, cpu };
  }

  const gpuvm: Awaited<ReturnType<typeof gpuvmUpload>>[] = [];
  const curl: Awaited<ReturnType<typeof curlUpload>>[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternating who goes first evens out whatever the machine does between runs.
    const runs = [
      async () => gpuvm.push(await gpuvmUpload(`gpuvm-${round}`)),
      async () => curl.push(await curlUpload(`curl-${round}`)),
    ];
    if (round % 2 === 0) runs.reverse();
    for (const run of runs) await run();
  }

  const rate = (seconds: number) => `${(SIZE / MiB / seconds).toFixed(0)} MiB/s`;
  const list = (values: number[]) => values.map((v) => v.toFixed(2)).join(", ");
  const curlTransfer = median(curl.map((r) => r.transfer));
  const curlWall = median(curl.map((r) => r.wall));
  const gpuvmTransfer = median(gpuvm.map((r) => r.transfer));
  const gpuvmWall = median(gpuvm.map((r) => r.wall));
  console.log(`image: ${SIZE / 1024 ** 3} GiB (sparse), ${ROUNDS} rounds, proxy: ${proxy.url} (own process)`);
  console.log(
    `curl -T:             ${rate(curlTransfer)} (median of ${list(curl.map((r) => r.transfer))} s)`,
  );
  console.log(
    `gpuvm transfer:      ${rate(gpuvmTransfer)} (median of ${list(gpuvm.map((r) => r.transfer))} s)`,
  );
  console.log(
    `gpuvm whole command: ${rate(gpuvmWall)} (median of ${list(gpuvm.map((r) => r.wall))} s, with node start, DataVolume, token, annotation)`,
  );
  console.log(`ratio gpuvm/curl (transfer): ${(curlTransfer / gpuvmTransfer).toFixed(3)} (target >= 0.95)`);
  console.log(`ratio gpuvm/curl (whole command vs curl process): ${(curlWall / gpuvmWall).toFixed(3)}`);
  console.log(
    `gpuvm peak RSS: ${Math.max(...gpuvm.map((r) => r.rssMB)).toFixed(1)} MB, the most of ${ROUNDS} runs (target < 200 MB)`,
  );
  console.log(
    `CPU seconds per upload (median, whole process): curl ${median(curl.map((r) => r.cpu)).toFixed(2)}, gpuvm ${median(gpuvm.map((r) => r.cpu)).toFixed(2)}; SHA-256 of the image alone: ${hashSeconds.toFixed(2)}`,
  );
  console.log(`checked: every upload reached the proxy whole; gpuvm's recorded SHA-256 = the proxy's`);
  proxy.stop();
  await apis.stop();
  await sim.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
  await cluster.stop();
}
