// The cluster code's pure parts: diffs, the shared KubeVirt lists, lease names, status tables,
// durations and the stuck-VM explanations.
import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/cli/cluster-options.js";
import type { KubeObjectJson } from "../../src/cluster/client.js";
import { diffObjects, formatChanges } from "../../src/cluster/diff.js";
import { explain } from "../../src/cluster/explain.js";
import { gpuLeaseName, microTime, vmLeaseName } from "../../src/cluster/leases.js";
import { mergeEntries, sharedPatch, splitKubeVirt } from "../../src/cluster/shared-config.js";
import { age, formatStatus, type StatusRow } from "../../src/cluster/status.js";
import type { ModeState } from "../../src/cluster/vm-state.js";
import type { Gpu } from "../../src/model/lab.js";
import { renderRbac } from "../../src/render/rbac.js";
import { exampleLab } from "../support/labs.js";

describe("diffObjects", () => {
  const live = {
    apiVersion: "v1",
    kind: "X",
    metadata: { name: "a", resourceVersion: "7", managedFields: [{ manager: "m" }], creationTimestamp: "t" },
    spec: { disks: [{ name: "system", bootOrder: 1 }, { name: "data" }], memory: "4Gi" },
    status: { phase: "Running" },
  };

  it("ignores what the server owns", () => {
    const next = structuredClone(live);
    next.metadata.resourceVersion = "8";
    next.metadata.creationTimestamp = "u";
    next.status.phase = "Stopped";
    expect(diffObjects(live, next)).toEqual([]);
  });

  it("names changed fields, keying named lists by name", () => {
    const next = structuredClone(live) as typeof live & { spec: { cpu?: number } };
    next.spec.memory = "6Gi";
    next.spec.cpu = 2;
    next.spec.disks = [{ name: "data" }, { name: "system", bootOrder: 2 }];
    expect(formatChanges(diffObjects(live, next), "")).toEqual([
      "+ spec.cpu: 2",
      "~ spec.disks[name=system].bootOrder: 1 -> 2",
      '~ spec.memory: "4Gi" -> "6Gi"',
    ]);
  });
});

describe("the shared KubeVirt lists", () => {
  const kv = (
    gates: string[],
    pci: { pciVendorSelector: string; resourceName: string }[],
  ): KubeObjectJson => ({
    apiVersion: "kubevirt.io/v1",
    kind: "KubeVirt",
    metadata: { name: "kubevirt", namespace: "kubevirt", resourceVersion: "42" },
    spec: {
      configuration: {
        developerConfiguration: { featureGates: gates },
        permittedHostDevices: { pciHostDevices: pci },
      },
    },
  });

  it("leaves the atomic lists out of what is server-side applied", () => {
    const { applied, entries } = splitKubeVirt(
      kv(["HostDevices"], [{ pciVendorSelector: "10de:2206", resourceName: "nvidia.com/rtx3080" }]),
    );
    expect(applied.spec).toEqual({ configuration: {} });
    expect(entries.featureGates).toEqual(["HostDevices"]);
  });

  it("adds missing entries after everyone else's, matching vendor:device case-insensitively", () => {
    const live = kv(["Snapshot"], [{ pciVendorSelector: "10DE:2206", resourceName: "nvidia.com/rtx3080" }]);
    const wanted = {
      featureGates: ["HostDevices", "Snapshot"],
      pciHostDevices: [
        { pciVendorSelector: "10de:2206", resourceName: "nvidia.com/rtx3080" },
        { pciVendorSelector: "10de:1aef", resourceName: "nvidia.com/rtx3080-audio" },
      ],
    };
    expect(mergeEntries(live, wanted)).toEqual({
      featureGates: ["Snapshot", "HostDevices"],
      pciHostDevices: [
        { pciVendorSelector: "10DE:2206", resourceName: "nvidia.com/rtx3080" },
        { pciVendorSelector: "10de:1aef", resourceName: "nvidia.com/rtx3080-audio" },
      ],
    });
    expect(sharedPatch(live, wanted)?.metadata).toEqual({ resourceVersion: "42" });
    expect(sharedPatch(kv(["Snapshot", "HostDevices"], wanted.pciHostDevices), wanted)).toBeUndefined();
  });
});

describe("lease names", () => {
  const gpu = (host: string, ...addresses: string[]) => ({
    host,
    functions: addresses.map((address) => ({ address }) as Gpu["functions"][number]),
  });

  it("name a GPU by its host and PCI slot, whatever a lab calls it or lists first", () => {
    const name = gpuLeaseName(gpu("tower1", "0000:09:00.0", "0000:09:00.1"));
    expect(name).toMatch(/^gpuvm-gpu-[0-9a-f]{40}$/);
    expect(gpuLeaseName(gpu("tower1", "0000:09:00.1", "0000:09:00.0"))).toBe(name);
    expect(gpuLeaseName(gpu("tower2", "0000:09:00.0"))).not.toBe(name);
    expect(gpuLeaseName(gpu("tower1", "0000:0a:00.0"))).not.toBe(name);
  });

  it("never give two GPUs one name (the old dashed names made tower-1/gpu and tower/1-gpu one)", () => {
    expect(gpuLeaseName(gpu("tower-1", "0000:09:00.0"))).not.toBe(
      gpuLeaseName(gpu("tower", "1-0000:09:00.0")),
    );
    expect(gpuLeaseName(gpu("a-b", "c"))).not.toBe(gpuLeaseName(gpu("a", "b-c")));
    expect(vmLeaseName("gaming-compat")).toBe("gpuvm-vm-gaming-compat");
  });

  it("stamp times with microseconds, as Lease's MicroTime wants", () => {
    expect(microTime(new Date("2026-11-21T22:23:41.123Z"))).toBe("2026-11-21T22:23:41.123000Z");
  });
});

describe("status", () => {
  const now = new Date("2026-11-21T12:00:00Z");
  const row: StatusRow = {
    vm: "gaming",
    mode: "live",
    object: "gaming-live",
    phase: "Running",
    runStrategy: "Always",
    node: "tower1",
    ip: "192.168.26.100",
    gpu: "rtx3080",
    since: "2026-11-21T11:55:00Z",
  };

  it("reads like kubectl's tables", () => {
    expect(
      formatStatus(
        [
          row,
          {
            ...row,
            vm: "gaming-compat",
            mode: "-",
            object: "gaming-compat-live",
            phase: "Stopped",
            node: "",
            ip: "",
            gpu: "",
            since: "",
          },
        ],
        false,
        now,
      ),
    ).toBe(
      [
        "VM             MODE  PHASE    NODE    IP              GPU      SINCE",
        "gaming         live  Running  tower1  192.168.26.100  rtx3080  5m",
        "gaming-compat  -     Stopped  -       -               -        -",
        "",
      ].join("\n"),
    );
  });

  it("ages like kubectl", () => {
    expect(age("2026-11-21T11:59:30Z", now)).toBe("30s");
    expect(age("2026-11-21T09:00:00Z", now)).toBe("3h");
    expect(age("2026-11-19T12:00:00Z", now)).toBe("2d");
    expect(age("2026-11-01T12:00:00Z", now)).toBe("20d");
  });
});

describe("--timeout", () => {
  it("takes kubectl-style durations", () => {
    expect(parseDuration("90")).toBe(90_000);
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("2h")).toBe(7_200_000);
    expect(() => parseDuration("soon")).toThrow("expected a duration");
  });
});

describe("explain", () => {
  /** The state of gaming-live whose instance reports `status`. */
  const gamingLive = (status: NonNullable<NonNullable<ModeState["vmi"]>["status"]>): ModeState => ({
    objectName: "gaming-live",
    vmi: {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstance",
      metadata: { name: "gaming-live" },
      spec: { domain: { devices: {} } },
      status,
    },
  });

  it("quotes the VMI's failing condition and says what to do", () => {
    const why = explain(
      gamingLive({
        phase: "Pending",
        conditions: [
          {
            type: "Synchronized",
            status: "False",
            reason: "FailedCreate",
            message: "HostDevice nvidia.com/rtx3080 is not permitted in permittedHostDevices configuration",
          },
          { type: "Ready", status: "False", reason: "NotReady" },
        ],
      }),
    );
    expect(why.said).toEqual([
      "VirtualMachineInstance gaming-live: Synchronized=False (FailedCreate): HostDevice nvidia.com/rtx3080 is not permitted in permittedHostDevices configuration",
    ]);
    expect(why.fix).toContain("permittedHostDevices");
  });

  it("turns an unschedulable pod into a next step", () => {
    const why = explain(
      gamingLive({
        conditions: [
          {
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message: "0/3 nodes are available: 3 Insufficient nvidia.com/rtx3080.",
          },
        ],
      }),
    );
    expect(why.fix).toContain("no node has a free nvidia.com/rtx3080");
  });
});

describe("render --with-rbac", () => {
  it("grants exactly the verbs gpuvm sends", () => {
    const [clusterRole, role, lockNamespace, lockRole] = renderRbac(exampleLab("homelab"));
    // The GPU leases of every lab live in one namespace; the Role there allows leases and nothing else.
    expect(lockNamespace.metadata?.name).toBe("gpuvm-locks");
    expect(lockRole.metadata?.namespace).toBe("gpuvm-locks");
    expect(lockRole.rules).toEqual([
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        verbs: ["get", "create", "update", "delete"],
      },
    ]);
    const verbs = (rules: typeof role.rules, resource: string) =>
      rules?.find((rule) => rule.resources?.includes(resource))?.verbs;
    expect(role.metadata?.namespace).toBe("gaming");
    expect(verbs(role.rules, "leases")).toEqual(["get", "create", "update", "delete"]);
    expect(verbs(role.rules, "virtualmachineinstances")).toEqual(["get", "list", "watch"]);
    // Volumes are never deleted by gpuvm, so the role cannot either.
    expect(verbs(role.rules, "persistentvolumeclaims")).not.toContain("delete");
    expect(verbs(role.rules, "datavolumes")).not.toContain("delete");
    expect(verbs(clusterRole.rules, "namespaces")).not.toContain("delete");
    expect(verbs(clusterRole.rules, "kubevirts")).not.toContain("delete");
    expect(verbs(clusterRole.rules, "nodes")).toEqual(["get"]);
  });
});
