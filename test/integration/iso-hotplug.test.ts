/**
 * gpuvm iso attach on a running VM whose KubeVirt swaps CD-ROM media declaratively (the
 * DeclarativeHotplugVolumes gate, KubeVirt ≥ 1.6): the medium of the existing drive changes in the VM spec
 * (a hotpluggable volume, validated by the real server) and nothing waits for a reboot; without the gate,
 * or on an older KubeVirt, the change waits for the next boot. The KubeVirt CR is cluster-wide state, so
 * this file runs its own API server instead of the shared one.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp.js";
import { type Cluster, rawRequest, startCluster } from "../test-cluster/harness.js";
import { type Simulator, startSimulator } from "../test-cluster/sim/index.js";
import { applyLabVms, createNamespace, kubeArgs, must, writeLab } from "./iso-support.js";

const ns = "iso-hotplug";
const vm = "gaming-compat-maintenance";
const dir = tempDir("gpuvm-iso-hotplug-");
const kubevirtPath = "/apis/kubevirt.io/v1/namespaces/kubevirt/kubevirts/kubevirt";
let cluster: Cluster;
let sim: Simulator;
let labPath = "";

async function kubevirt(version: string, gates: string[]) {
  const admin = cluster.kubeConfig("admin");
  const merge = "application/merge-patch+json";
  const spec = await rawRequest(
    admin,
    "PATCH",
    kubevirtPath,
    JSON.stringify({ spec: { configuration: { developerConfiguration: { featureGates: gates } } } }),
    merge,
  );
  expect(spec.status).toBe(200);
  const status = await rawRequest(
    admin,
    "PATCH",
    `${kubevirtPath}/status`,
    JSON.stringify({ status: { phase: "Deployed", observedKubeVirtVersion: version } }),
    merge,
  );
  expect(status.status).toBe(200);
}

async function vmSpec() {
  const admin = cluster.kubeConfig("admin");
  const body = (await must(admin, "GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/${vm}`))
    .body as any;
  return body.spec.template.spec;
}

async function waitForVmi(wanted: "Running" | "gone"): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const vmi = await rawRequest(
      cluster.kubeConfig("admin"),
      "GET",
      `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${vm}`,
    );
    if (wanted === "gone" ? vmi.status === 404 : (vmi.body as any).status?.phase === "Running") return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${vm} never became ${wanted}`);
}

const cli = (...args: string[]) => runCli(...args, "--lab", labPath, ...kubeArgs(cluster, ns));
const eject = () => runCli("iso", "eject", "gaming-compat", "-f", labPath, ...kubeArgs(cluster, ns));

beforeAll(async () => {
  cluster = await startCluster();
  const admin = cluster.kubeConfig("admin");
  await createNamespace(admin, ns);
  await createNamespace(admin, "kubevirt");
  await must(admin, "POST", "/apis/kubevirt.io/v1/namespaces/kubevirt/kubevirts", {
    apiVersion: "kubevirt.io/v1",
    kind: "KubeVirt",
    metadata: { name: "kubevirt", namespace: "kubevirt" },
    spec: {},
  });
  sim = await startSimulator(admin, { namespace: ns });
  labPath = writeLab(dir, ns);
  await applyLabVms(admin, labPath, readFileSync(labPath, "utf8"));
  for (const name of ["win11", "virtio-win", "bazzite", "fedora"]) {
    await must(admin, "POST", `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes`, {
      apiVersion: "cdi.kubevirt.io/v1beta1",
      kind: "DataVolume",
      metadata: { name, namespace: ns, labels: { "gpuvm.io/iso": "true" } },
      spec: { source: { upload: {} }, storage: { resources: { requests: { storage: "8Gi" } } } },
    });
  }
  // The installer's drive exists before the VM starts: only its medium changes afterwards.
  const attached = await cli(
    "iso",
    "attach",
    "gaming-compat",
    "--volume",
    "win11",
    "--drivers",
    "--mode",
    "maintenance",
  );
  expect(attached.stdout).toContain(`attached win11 to ${vm}`);
  await sim.start(ns, vm);
  await waitForVmi("Running");
}, 180_000);

afterAll(async () => {
  await sim?.close();
  await cluster?.stop();
});

async function vmiMedium() {
  const admin = cluster.kubeConfig("admin");
  const vmi = (
    await must(admin, "GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${vm}`)
  ).body as any;
  return vmi.spec.volumes.find((v: any) => v.name === "iso")?.dataVolume?.name;
}

const isoVolume = async () => (await vmSpec()).volumes.find((v: any) => v.name === "iso");

describe("gpuvm iso attach / eject with declarative CD-ROM hotplug", () => {
  it("KubeVirt v1.6.3 with DeclarativeHotplugVolumes: a medium from boot changes at the next boot, a live one now", async () => {
    await kubevirt("v1.6.3", ["HostDevices", "DeclarativeHotplugVolumes"]);
    const drives = (await vmSpec()).domain.devices.disks;

    // win11 went in at boot: KubeVirt cannot take it out while the VM runs.
    const swap = await cli("iso", "attach", "gaming-compat", "--volume", "bazzite", "--drivers");
    expect(swap.code).toBe(0);
    expect(swap.stdout).toContain(`the medium in ${vm}'s ISO drive (win11) went in at boot`);
    expect(swap.stdout).toContain("is running: the change applies at its next boot");
    expect(await vmiMedium()).toBe("win11");

    // Eject keeps the drive: the spec's drive is empty now; the running VM keeps win11 until it boots.
    const ejected = await eject();
    expect(ejected.code).toBe(0);
    expect(ejected.stdout).toContain(`ejected bazzite from ${vm}'s ISO drive; the drive stays, empty`);
    expect(ejected.stdout).toContain("is running: the change applies at its next boot");
    expect(await isoVolume()).toBeUndefined();
    expect((await vmSpec()).domain.devices.disks).toEqual(drives);
    expect(await vmiMedium()).toBe("win11");
    // Still in the running VM's drive: nothing goes in live until the VM has booted with the drive empty.
    const early = await cli("iso", "attach", "gaming-compat", "--volume", "fedora", "--drivers");
    expect(early.stdout).toContain(`the medium in ${vm}'s ISO drive (win11) went in at boot`);
    expect((await eject()).code).toBe(0);
    await sim.stop(ns, vm);
    await waitForVmi("gone");
    await sim.start(ns, vm);
    await waitForVmi("Running");
    expect(await vmiMedium()).toBeUndefined();

    // Into the empty drive, live: a hotpluggable medium, which the running VM gets now.
    const insert = await cli("iso", "attach", "gaming-compat", "--volume", "fedora", "--drivers");
    expect(insert.code).toBe(0);
    expect(insert.stdout).toContain(
      `inserted fedora into the running ${vm}'s CD-ROM (declarative hotplug, no restart)`,
    );
    expect(insert.stdout).not.toContain("next boot");
    expect(await isoVolume()).toEqual({ name: "iso", dataVolume: { name: "fedora", hotpluggable: true } });
    expect(await vmiMedium()).toBe("fedora");

    // A live medium swaps live: eject, then insert.
    const again = await cli("iso", "attach", "gaming-compat", "--volume", "bazzite", "--drivers");
    expect(again.stdout).toContain(`inserted bazzite into the running ${vm}'s CD-ROM`);
    expect(await vmiMedium()).toBe("bazzite");

    const out = await eject();
    expect(out.stdout).toContain(`ejected bazzite from the running ${vm} (declarative hotplug, no restart)`);
    expect(await vmiMedium()).toBeUndefined();
    // Through all of it the drives and their boot orders never changed.
    expect((await vmSpec()).domain.devices.disks).toEqual(drives);
  });

  it("without the gate, or on KubeVirt older than v1.6, media change at the next boot and eject is refused", async () => {
    for (const [version, gates] of [
      ["v1.6.3", ["HostDevices"]],
      ["v1.5.2", ["HostDevices", "DeclarativeHotplugVolumes"]],
    ] as const) {
      await kubevirt(version, [...gates]);
      const r = await cli("iso", "attach", "gaming-compat", "--volume", "fedora", "--drivers");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`attached fedora to ${vm}`);
      expect(r.stdout).toContain(
        "is running: the change applies at its next boot (or run again with --restart)",
      );
      expect(await isoVolume()).toEqual({ name: "iso", dataVolume: { name: "fedora" } });
      const refused = await eject();
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        "an empty CD-ROM drive needs KubeVirt v1.6 or later with the DeclarativeHotplugVolumes feature gate; " +
          `gpuvm iso detach ${vm} removes the drive instead`,
      );
    }
  });
});
