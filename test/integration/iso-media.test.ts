/**
 * gpuvm iso attach/detach against the real kube-apiserver: the homelab's Linux and Windows VMs in both
 * modes, patched under strict validation with KubeVirt's schema, boot orders checked exactly; a running VM
 * gets the change at its next boot (or a restart); `gpuvm apply`'s server-side apply keeps the ISO.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withMedia } from "../../src/cluster/iso/media.js";
import { parseModel } from "../../src/model/index.js";
import { renderVirtualMachines } from "../../src/render/virtual-machine.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp.js";
import { connectCluster, rawRequest } from "../test-cluster/harness.js";
import { type AggregatedApis, serveAggregatedApis } from "../test-cluster/sim/aggregated.js";
import { type Simulator, startSimulator } from "../test-cluster/sim/index.js";
import { applyLabVms, createNamespace, kubeArgs, must, writeLab } from "./iso-support.js";

const cluster = connectCluster(inject("gpuvmCluster"));
const admin = cluster.kubeConfig("admin");
const ns = `iso-media-${process.pid}`;
const dir = tempDir("gpuvm-iso-media-");
let labPath = "";
let sim: Simulator;
let apis: AggregatedApis;

const vmPath = (name: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/${name}`;

async function devices(name: string) {
  const vm = (await must(admin, "GET", vmPath(name))).body as any;
  const spec = vm.spec.template.spec;
  return {
    boot: spec.domain.devices.disks.map(
      (d: any) =>
        `${d.name}${d.cdrom ? `(cdrom ${d.cdrom.bus}${d.cdrom.readonly ? " ro" : ""})` : ""}:${d.bootOrder ?? "-"}`,
    ),
    volumes: spec.volumes.map(
      (v: any) => `${v.name}=${v.dataVolume?.name ?? v.persistentVolumeClaim?.claimName}`,
    ),
    annotations: vm.metadata.annotations ?? {},
    vm,
  };
}

async function uploadVolume(name: string) {
  await must(admin, "POST", `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes`, {
    apiVersion: "cdi.kubevirt.io/v1beta1",
    kind: "DataVolume",
    metadata: { name, namespace: ns, labels: { "gpuvm.io/iso": "true" } },
    spec: { source: { upload: {} }, storage: { resources: { requests: { storage: "8Gi" } } } },
  });
}

beforeAll(async () => {
  await createNamespace(admin, ns);
  sim = await startSimulator(admin, { namespace: ns });
  apis = await serveAggregatedApis(admin, cluster, sim);
  labPath = writeLab(dir, ns);
  await applyLabVms(admin, labPath, readFileSync(labPath, "utf8"));
  await uploadVolume("win11");
  await uploadVolume("bazzite");
  await uploadVolume("virtio-win");
});

afterAll(async () => {
  await apis?.stop();
  await sim?.close();
});

const cli = (...args: string[]) => runCli(...args, "--lab", labPath, ...kubeArgs(cluster, ns));
const detach = (...args: string[]) =>
  runCli("iso", "detach", ...args, "-f", labPath, ...kubeArgs(cluster, ns));

describe("gpuvm iso attach / detach", () => {
  for (const mode of ["maintenance", "live"]) {
    it(`Windows (${mode}): ISO boots first, drivers CD-ROM unordered, detach restores the system disk`, async () => {
      const before = await devices(`gaming-compat-${mode}`);
      const r = await cli("iso", "attach", "gaming-compat", "--volume", "win11", "--drivers", "--mode", mode);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`attached win11 to gaming-compat-${mode}`);
      const attached = await devices(`gaming-compat-${mode}`);
      expect(attached.boot).toEqual([
        "system:2",
        "data:-",
        "iso(cdrom sata ro):1",
        "drivers(cdrom sata ro):-",
      ]);
      expect(attached.volumes).toEqual([
        `system=gaming-compat-system`,
        `data=gaming-compat-data`,
        "iso=win11",
        "drivers=virtio-win",
      ]);
      // The other mode's VirtualMachine is untouched.
      const other = mode === "live" ? "maintenance" : "live";
      expect((await devices(`gaming-compat-${other}`)).boot).toEqual(["system:1", "data:-"]);

      const d = await detach("gaming-compat", "--mode", mode);
      expect(d.code).toBe(0);
      expect(d.stdout).toContain("detached iso, drivers");
      const detached = await devices(`gaming-compat-${mode}`);
      expect(detached.boot).toEqual(["system:1", "data:-"]);
      expect(detached.boot).toEqual(before.boot);
      expect(detached.volumes).toEqual(before.volumes);
      expect(detached.annotations["gpuvm.io/iso-media"]).toBeUndefined();
      // Nothing is lost: the volumes are still there.
      for (const name of ["win11", "virtio-win"]) {
        expect(
          (
            await rawRequest(
              admin,
              "GET",
              `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes/${name}`,
            )
          ).status,
        ).toBe(200);
      }
    });

    it(`Linux (${mode}): ISO first, system second, other disks unordered`, async () => {
      const r = await cli("iso", "attach", "gaming", "--volume", "bazzite", "--mode", mode);
      expect(r.code).toBe(0);
      expect((await devices(`gaming-${mode}`)).boot).toEqual([
        "system:2",
        "cache:-",
        "data:-",
        "iso(cdrom sata ro):1",
      ]);
      expect((await detach("gaming", "--mode", mode)).code).toBe(0);
      expect((await devices(`gaming-${mode}`)).boot).toEqual(["system:1", "cache:-", "data:-"]);
    });
  }

  it("is not thrown off by a controller writing the VM between gpuvm's read and its patch", async () => {
    // A controller writing status or labels (as KubeVirt's does) changes the resourceVersion under
    // the edit; the patch is guarded by the drives it changes, so these writes never fail it.
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 200; i++) {
        await rawRequest(
          admin,
          "PATCH",
          vmPath("gaming-maintenance"),
          JSON.stringify({ metadata: { labels: { "test.gpuvm.io/tick": String(i) } } }),
          "application/merge-patch+json",
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      for (let round = 0; round < 5; round++) {
        const r = await cli("iso", "attach", "gaming", "--volume", "bazzite", "--mode", "maintenance");
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect((await detach("gaming", "--mode", "maintenance")).code).toBe(0);
      }
    } finally {
      writing = false;
      await writer;
    }
  });

  it("uses the lab's default mode when none runs, and refuses a volume that does not exist", async () => {
    const r = await cli("iso", "attach", "gaming", "--volume", "bazzite");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("attached bazzite to gaming-live");
    const missing = await cli("iso", "attach", "gaming", "--volume", "nope");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no volume "nope" in namespace ${ns}`);
    expect((await detach("gaming")).code).toBe(0);
  });

  it("gpuvm apply (server-side apply, manager gpuvm) keeps an attached ISO without a conflict", async () => {
    expect((await cli("iso", "attach", "gaming", "--volume", "bazzite", "--mode", "maintenance")).code).toBe(
      0,
    );
    const live = (await devices("gaming-maintenance")).vm;
    const rendered = renderVirtualMachines(parseModel(readFileSync(labPath, "utf8"), labPath)).find(
      (vm) => vm.metadata?.name === "gaming-maintenance",
    );
    if (!rendered) throw new Error("rendered VM missing");
    const ssa = (body: unknown) =>
      rawRequest(
        admin,
        "PATCH",
        `${vmPath("gaming-maintenance")}?fieldManager=gpuvm&fieldValidation=Strict`,
        JSON.stringify(body),
        "application/apply-patch+yaml",
      );
    // Without the media the attach manager owns the (atomic) disks list, so apply would conflict...
    const plain = await ssa(rendered);
    expect(plain.status).toBe(409);
    // ...with them, the lists agree and apply goes through, leaving the ISO attached.
    const merged = await ssa(withMedia(rendered, live));
    expect(merged.status).toBe(200);
    const attached = ["system:2", "cache:-", "data:-", "iso(cdrom sata ro):1"];
    expect((await devices("gaming-maintenance")).boot).toEqual(attached);
    // And the command itself: gpuvm apply of the whole lab leaves the ISO attached.
    const applied = await runCli("apply", "-f", labPath, ...kubeArgs(cluster, ns));
    expect(applied.stderr).not.toContain("conflict");
    expect(applied.code).toBe(0);
    expect((await devices("gaming-maintenance")).boot).toEqual(attached);
    expect((await detach("gaming", "--mode", "maintenance")).code).toBe(0);
  });

  it("on a running VM: says the change applies at next boot; --restart restarts it", async () => {
    await sim.start(ns, "gaming-compat-maintenance");
    for (let i = 0; i < 100; i++) {
      const vmi = await rawRequest(
        admin,
        "GET",
        `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/gaming-compat-maintenance`,
      );
      if (vmi.status === 200 && (vmi.body as any).status?.phase === "Running") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const r = await cli("iso", "attach", "gaming-compat", "--volume", "win11");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("attached win11 to gaming-compat-maintenance");
    expect(r.stdout).toContain(
      "is running: the change applies at its next boot (or run again with --restart)",
    );
    const restarted = await detach("gaming-compat", "--restart");
    expect(restarted.code).toBe(0);
    expect(restarted.stdout).toContain("restarting gaming-compat-maintenance");
    expect(apis.requests).toContainEqual(
      `PUT /apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachines/gaming-compat-maintenance/restart`,
    );
  });
});
