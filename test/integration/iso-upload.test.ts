/**
 * gpuvm iso upload against the real kube-apiserver (DataVolumes validated by CDI's schema), the
 * KubeVirt/CDI simulator and its UploadTokenRequest API, and a stand-in CDI upload proxy reached through
 * CDIConfig's uploadProxyURLOverride with the CA published as CDI's signer bundle.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { KubeClient } from "../../src/cluster/client.js";
import { TransientUploadError } from "../../src/cluster/iso/transfer.js";
import { uploadIso } from "../../src/cluster/iso/upload.js";
import { uploadLockName } from "../../src/cluster/iso/upload-lock.js";
import { type Lease, microTime } from "../../src/cluster/leases.js";
import { runCli } from "../support/cli.js";
import { writeIsoImage } from "../support/iso-image.js";
import { tempDir } from "../support/temp.js";
import { connectCluster, rawRequest } from "../test-cluster/harness.js";
import { type AggregatedApis, serveAggregatedApis } from "../test-cluster/sim/aggregated.js";
import { type Simulator, startSimulator } from "../test-cluster/sim/index.js";
import {
  startUploadProxy,
  type UploadProxy,
  type UploadProxyOptions,
} from "../test-cluster/sim/upload-proxy.js";
import { createNamespace, kubeArgs, must } from "./iso-support.js";

const cluster = connectCluster(inject("gpuvmCluster"));
const admin = cluster.kubeConfig("admin");
const ns = `iso-upload-${process.pid}`;
const dir = tempDir("gpuvm-iso-upload-");
let sim: Simulator;
let apis: AggregatedApis;
let proxy: UploadProxy | undefined;

const dvPath = (name: string) => `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes/${name}`;

/** The harness's UploadTokenRequest answers sim-upload-token-<ns>-<pvc>; the proxy accepts exactly those. */
function tokenValid(token: string) {
  const prefix = `sim-upload-token-${ns}-`;
  return token.startsWith(prefix) ? { namespace: ns, name: token.slice(prefix.length) } : undefined;
}

async function useProxy(extra: Partial<UploadProxyOptions> = {}): Promise<UploadProxy> {
  await proxy?.close();
  proxy = await startUploadProxy({
    tokenValid,
    onComplete: (n, name) => sim.completeUpload(n, name),
    ...extra,
  });
  const config = {
    apiVersion: "cdi.kubevirt.io/v1beta1",
    kind: "CDIConfig",
    metadata: { name: "config" },
    spec: { uploadProxyURLOverride: proxy.url },
  };
  const r = await rawRequest(
    admin,
    "PATCH",
    "/apis/cdi.kubevirt.io/v1beta1/cdiconfigs/config?fieldManager=gpuvm-test&fieldValidation=Strict&force=true",
    JSON.stringify(config),
    "application/apply-patch+yaml",
  );
  if (r.status >= 300) throw new Error(`CDIConfig: ${r.status} ${r.text}`);
  const bundle = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cdi-uploadproxy-signer-bundle", namespace: "cdi" },
    data: { "ca-bundle.crt": proxy.ca },
  };
  const b = await rawRequest(
    admin,
    "PATCH",
    "/api/v1/namespaces/cdi/configmaps/cdi-uploadproxy-signer-bundle?fieldManager=gpuvm-test&force=true",
    JSON.stringify(bundle),
    "application/apply-patch+yaml",
  );
  if (b.status >= 300) throw new Error(`signer bundle: ${b.status} ${b.text}`);
  return proxy;
}

beforeAll(async () => {
  await createNamespace(admin, ns);
  await createNamespace(admin, "cdi");
  sim = await startSimulator(admin, { namespace: ns });
  apis = await serveAggregatedApis(admin, cluster, sim);
});

afterAll(async () => {
  await proxy?.close();
  await apis?.stop();
  await sim?.close();
});

/** The first test's image; the next one uploads another image of the same size under its name. */
const WIN11_SIZE = 4 * 1024 * 1024 + 123;

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("gpuvm iso upload", () => {
  it("uploads exactly the file's bytes, records size and checksum, and reuses the volume the second time", async () => {
    const p = await useProxy({ async: false });
    const file = join(dir, "Win11_23H2.iso");
    const digest = writeIsoImage(file, WIN11_SIZE);
    expect(sha(file)).toBe(digest);

    const first = await runCli(
      "iso",
      "upload",
      file,
      ...kubeArgs(cluster, ns),
      "--storage-class",
      "iso-immediate",
      "-o",
      "json",
    );
    expect(first.stderr).toContain(`uploaded Win11_23H2.iso to ${ns}/win11-23h2`);
    expect(first.code).toBe(0);
    // stdout carries only the result, for scripts; progress stays on stderr.
    expect(JSON.parse(first.stdout)).toEqual({
      name: "win11-23h2",
      sha256: digest,
      size: WIN11_SIZE,
      reused: false,
      transferSeconds: expect.any(Number),
    });
    expect(p.uploads).toEqual([
      expect.objectContaining({
        name: "win11-23h2",
        bytes: WIN11_SIZE,
        sha256: digest,
        complete: true,
      }),
    ]);
    const dv = (await must(admin, "GET", dvPath("win11-23h2"))).body as any;
    expect(dv.metadata.annotations).toMatchObject({
      "gpuvm.io/iso-sha256": digest,
      "gpuvm.io/iso-size": String(WIN11_SIZE),
      "cdi.kubevirt.io/storage.bind.immediate.requested": "true",
    });
    expect(dv.metadata.labels["gpuvm.io/iso"]).toBe("true");
    expect(dv.spec.source).toEqual({ upload: {} });
    expect(dv.spec.storage.storageClassName).toBe("iso-immediate");
    expect(dv.status.phase).toBe("Succeeded");

    const again = await runCli("iso", "upload", file, ...kubeArgs(cluster, ns), "-o", "json");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      name: "win11-23h2",
      sha256: digest,
      size: WIN11_SIZE,
      reused: true,
    });
    expect(again.stderr).toMatch(/already holds this image .*reusing it, nothing uploaded/);
    expect(p.uploads).toHaveLength(1);

    const list = await runCli("iso", "list", ...kubeArgs(cluster, ns), "-o", "json");
    expect(JSON.parse(list.stdout)).toContainEqual(
      expect.objectContaining({
        name: "win11-23h2",
        sha256: digest,
        size: WIN11_SIZE,
        phase: "Succeeded",
      }),
    );
  });

  it("refuses another image under a name that holds a different one", async () => {
    const p = await useProxy();
    const other = join(dir, "other.iso");
    // The same size as the volume's image, so only the checksum tells them apart.
    writeIsoImage(other, WIN11_SIZE, "iso9660", 7);
    const r = await runCli("iso", "upload", other, "--name", "win11-23h2", ...kubeArgs(cluster, ns));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`volume ${ns}/win11-23h2 already holds another image`);
    expect(p.uploads).toHaveLength(0);
  });

  it("refuses a file that is not an ISO before any request", async () => {
    const p = await useProxy();
    const file = join(dir, "disk.qcow2");
    writeFileSync(
      file,
      Buffer.concat([Buffer.from("QFI\xfb\0\0\0\x03", "latin1"), Buffer.alloc(256 * 1024)]),
    );
    // A kubeconfig that does not exist proves nothing was even attempted.
    const r = await runCli("iso", "upload", file, "--kubeconfig", join(dir, "missing"), "-n", ns);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("disk.qcow2 is not an ISO image");
    const withCluster = await runCli("iso", "upload", file, ...kubeArgs(cluster, ns));
    expect(withCluster.code).toBe(1);
    expect((await rawRequest(admin, "GET", dvPath("disk"))).status).toBe(404);
    expect(p.uploads).toHaveLength(0);
  });

  it("retries when the proxy drops the connection mid-way and ends with the right bytes", async () => {
    const p = await useProxy({ dropOnceAfter: 1024 * 1024 });
    const file = join(dir, "ubuntu.iso");
    const digest = writeIsoImage(file, 3 * 1024 * 1024, "udf");
    const r = await runCli("iso", "upload", file, ...kubeArgs(cluster, ns));
    expect(r.stderr).toContain("upload interrupted");
    expect(r.code).toBe(0);
    expect(p.uploads.map((u) => u.complete)).toEqual([false, true]);
    expect(p.uploads[1]?.sha256).toBe(digest);
    const dv = (await must(admin, "GET", dvPath("ubuntu"))).body as any;
    expect(dv.metadata.annotations["gpuvm.io/iso-sha256"]).toBe(digest);
  });

  it("a run that gives up leaves a volume a re-run completes (also through a 503 and the async endpoint)", async () => {
    await useProxy({ dropOnceAfter: 512 * 1024 });
    const file = join(dir, "fedora.iso");
    const digest = writeIsoImage(file, 2 * 1024 * 1024 + 5);
    const api = new KubeClient(admin);
    const quiet = { info() {}, start() {}, progress() {}, stop() {} };
    await expect(
      uploadIso({ api, namespace: ns, file, attempts: 1, reporter: quiet }),
    ).rejects.toBeInstanceOf(TransientUploadError);
    const half = (await must(admin, "GET", dvPath("fedora"))).body as any;
    expect(half.metadata.annotations["gpuvm.io/iso-sha256"]).toBeUndefined();

    const p = await useProxy({ failOnceWith: 503, async: true });
    const r = await runCli("iso", "upload", file, ...kubeArgs(cluster, ns));
    expect(r.stderr).toContain(
      `continuing the unfinished upload into ${ns}/fedora: CDI takes no partial uploads, so the whole file is sent again`,
    );
    expect(r.stderr).toContain("upload proxy answered 503");
    expect(r.code).toBe(0);
    expect(p.uploads).toEqual([
      expect.objectContaining({ sha256: digest, complete: true, path: "/v1beta1/upload-async" }),
    ]);
    const dv = (await must(admin, "GET", dvPath("fedora"))).body as any;
    expect(dv.metadata.annotations["gpuvm.io/iso-sha256"]).toBe(digest);
  });
});

describe("two uploads into one volume", () => {
  const api = new KubeClient(admin);
  const quiet = { info() {}, start() {}, progress() {}, stop() {} };
  const leaseRef = (volume: string) => ({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    namespace: ns,
    name: uploadLockName(volume),
  });
  /** A lease as another gpuvm's upload writes it. */
  const otherUpload = (volume: string, seconds: number): Lease => ({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: uploadLockName(volume), namespace: ns },
    spec: {
      holderIdentity: "laptop/4242/abcd1234",
      leaseDurationSeconds: seconds,
      renewTime: microTime(new Date()),
    },
  });

  it("refuses while another live upload holds it, and sends nothing", async () => {
    const p = await useProxy();
    const file = join(dir, "busy.iso");
    writeIsoImage(file, 1024 * 1024);
    await api.create(otherUpload("busy", 2));
    // The other run renews its lease, as a live upload does.
    const renewing = setInterval(async () => {
      const lease = await api.get<Lease>(leaseRef("busy"));
      if (lease) await api.replace({ ...lease, spec: { ...lease.spec, renewTime: microTime(new Date()) } });
    }, 300);
    try {
      const r = await runCli("iso", "upload", file, ...kubeArgs(cluster, ns));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `another gpuvm (laptop/4242/abcd1234) is uploading into ${ns}/busy right now`,
      );
      expect(p.uploads).toEqual([]);
    } finally {
      clearInterval(renewing);
    }
    expect(await api.get(leaseRef("busy"))).toBeDefined();
  });

  it("takes over the lock a crashed upload left once it has stayed unrenewed for its duration", async () => {
    const p = await useProxy();
    const file = join(dir, "crashed.iso");
    const digest = writeIsoImage(file, 1024 * 1024 + 7);
    await api.create(otherUpload("crashed", 1));
    const lines: string[] = [];
    const result = await uploadIso({
      api,
      namespace: ns,
      file,
      reporter: { ...quiet, info: (l) => lines.push(l) },
    });
    expect(result.sha256).toBe(digest);
    expect(lines.join("\n")).toContain(
      "laptop/4242/abcd1234 left the lock unrenewed for 1 s; taking it over",
    );
    expect(p.uploads.map((u) => u.sha256)).toEqual([digest]);
    // Released once the checksum is recorded.
    expect(await api.get(leaseRef("crashed"))).toBeUndefined();
  });

  it("at once, with two different images under one name: one is stored and its own checksum recorded", async () => {
    const p = await useProxy();
    const first = join(dir, "twin-a.iso");
    const second = join(dir, "twin-b.iso");
    const digests = [writeIsoImage(first, 2 * 1024 * 1024), writeIsoImage(second, 2 * 1024 * 1024 + 1)];
    const outcomes = await Promise.allSettled(
      [first, second].map((file) => uploadIso({ api, namespace: ns, file, name: "twin", reporter: quiet })),
    );
    const won = outcomes.filter((o) => o.status === "fulfilled");
    expect(won).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(
      /is uploading into .*\/twin right now|already holds another image/,
    );
    const stored = p.uploads.filter((u) => u.complete).map((u) => u.sha256);
    expect(stored).toHaveLength(1);
    const dv = (await must(admin, "GET", dvPath("twin"))).body as any;
    expect(dv.metadata.annotations["gpuvm.io/iso-sha256"]).toBe(stored[0]);
    expect(digests).toContain(stored[0]);
  });
});
