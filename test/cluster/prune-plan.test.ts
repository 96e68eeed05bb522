// What --prune does with each object the lab labelled: kept when the lab still renders it, reported and
// kept when it is a volume, held back while it is a VM that runs, else deleted.
import { describe, expect, it } from "vitest";
import type { KubeObjectJson } from "../../src/cluster/client.js";
import { blockedBecause, type Listed, orphansAmong, pruneDecision } from "../../src/cluster/prune.js";

const obj = (apiVersion: string, kind: string, name: string, namespace?: string): KubeObjectJson => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});
const listed = (o: KubeObjectJson, volume = false): Listed => ({
  ref: {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  },
  volume,
});

const vm = obj("kubevirt.io/v1", "VirtualMachine", "gaming-live", "lab");
const oldVm = obj("kubevirt.io/v1", "VirtualMachine", "old-live", "lab");
const nad = obj("k8s.cni.cncf.io/v1", "NetworkAttachmentDefinition", "br0", "lab");
const storageClass = obj("storage.k8s.io/v1", "StorageClass", "iso");
const pvc = obj("v1", "PersistentVolumeClaim", "old-system", "lab");
const dv = obj("cdi.kubevirt.io/v1beta1", "DataVolume", "fedora", "lab");

describe("orphansAmong", () => {
  const everything = [
    listed(vm),
    listed(oldVm),
    listed(nad),
    listed(storageClass),
    listed(pvc, true),
    listed(dv, true),
  ];
  const rows: [string, KubeObjectJson[], string[]][] = [
    ["the lab renders all of them", [vm, oldVm, nad, storageClass, pvc, dv], []],
    ["a VM left the lab", [vm, nad, storageClass, pvc, dv], ["old-live"]],
    ["the lab renders nothing", [], ["gaming-live", "old-live", "br0", "iso", "old-system", "fedora"]],
    // Same name, other namespace: not the object listed, so still an orphan.
    [
      "a namesake in another namespace",
      [obj("kubevirt.io/v1", "VirtualMachine", "old-live", "other"), vm, nad, storageClass, pvc, dv],
      ["old-live"],
    ],
    // Same name, other kind: also not it.
    [
      "a namesake of another kind",
      [obj("v1", "ConfigMap", "br0", "lab"), vm, oldVm, storageClass, pvc, dv],
      ["br0"],
    ],
  ];
  it.each(rows)("%s", (_, desired, want) => {
    expect(orphansAmong(desired, everything).map((item) => item.ref.name)).toEqual(want);
  });
});

describe("pruneDecision", () => {
  const running = blockedBecause(listed(oldVm).ref, { active: true, phase: "Running" });
  it.each([
    ["a stopped VM is deleted", { ...listed(oldVm) }, "prune"],
    ["a VM that runs is held back", { ...listed(oldVm), running }, "blocked"],
    ["a network is deleted", listed(nad), "prune"],
    ["a StorageClass is deleted", listed(storageClass), "prune"],
    ["a PVC is kept", listed(pvc, true), "keep"],
    ["a DataVolume is kept", listed(dv, true), "keep"],
  ] as const)("%s", (_, orphan, want) => {
    expect(pruneDecision(orphan as never).action).toBe(want);
  });

  it("says how to stop a VM that runs, and nothing for one that is stopped", () => {
    expect(running).toContain("it is Running; stop it first (virtctl stop old-live -n lab");
    expect(blockedBecause(listed(oldVm).ref, { active: false, phase: "Stopped" })).toBeUndefined();
  });
});
