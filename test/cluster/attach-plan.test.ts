// iso attach/detach/eject decisions over the states a VM and its running instance can be read in:
// stopped or running, ISO drive absent, empty or holding a medium (inserted at boot or live), with and
// without KubeVirt's declarative media changes, with and without --restart.
import type {
  V1Disk,
  V1VirtualMachine,
  V1VirtualMachineInstance,
  V1Volume,
} from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import { describe, expect, it } from "vitest";
import {
  type MediaRead,
  type MediaStep,
  planAttach,
  planDetach,
  planEject,
} from "../../src/cluster/iso/attach-plan.js";
import { MEDIA_ANNOTATION } from "../../src/cluster/iso/media.js";
import { GpuvmError } from "../../src/errors.js";

const system: V1Disk = { name: "system", disk: { bus: "virtio" }, bootOrder: 1 };
const isoDrive: V1Disk = { name: "iso", cdrom: { bus: "sata" }, bootOrder: 1 };
const systemVolume: V1Volume = { name: "system", persistentVolumeClaim: { claimName: "gaming-system" } };
const medium = (name: string, hotpluggable: boolean): V1Volume => ({
  name: "iso",
  dataVolume: { name, ...(hotpluggable ? { hotpluggable: true } : {}) },
});

/** The drive in the VM's spec: none, an empty ISO drive, or one holding `old` (at boot or live). */
type Drive = "none" | "empty" | "boot" | "live";

function vmWith(drive: Drive, drivers?: string): V1VirtualMachine {
  const disks = drive === "none" ? [system] : [isoDrive, { ...system, bootOrder: 2 }];
  const volumes = [
    systemVolume,
    ...(drive === "boot" || drive === "live" ? [medium("old", drive === "live")] : []),
  ];
  const state =
    drive === "none"
      ? undefined
      : { systemDisk: "system", ...(drivers ? { drivers: { kind: "dataVolume", name: drivers } } : {}) };
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: {
      name: "gaming-live",
      ...(state ? { annotations: { [MEDIA_ANNOTATION]: JSON.stringify(state) } } : {}),
    },
    spec: { template: { spec: { domain: { devices: { disks } }, volumes } } },
  } as V1VirtualMachine;
}

function instanceWith(drive: Drive): V1VirtualMachineInstance {
  const vm = vmWith(drive);
  return { spec: vm.spec.template?.spec } as V1VirtualMachineInstance;
}

function read(drive: Drive, running: Drive | "stopped", options: Partial<MediaRead> = {}): MediaRead {
  return {
    name: "gaming-live",
    namespace: "lab",
    vm: vmWith(drive),
    ...(running === "stopped" ? {} : { instance: instanceWith(running) }),
    declarative: true,
    restart: false,
    ...options,
  };
}

/** A plan in one line, notes shortened to their first three words. */
function summary(plan: () => MediaStep[]): string {
  try {
    return plan()
      .map((step) => {
        if (step.kind === "patch")
          return `patch:${step.change.kind}${step.state?.hotplugged ? "(hotplug)" : ""}`;
        if (step.kind === "wait-medium") return `wait:${step.wanted ?? "empty"}${step.fail ? "!" : ""}`;
        if (step.kind === "note") return `note[${step.text.split(" ").slice(0, 3).join(" ")}]`;
        return step.kind;
      })
      .join(" ");
  } catch (error) {
    if (!(error instanceof GpuvmError)) throw error;
    return `refused: ${error.message}`;
  }
}

const fedora = { kind: "dataVolume", name: "fedora" } as const;
const cold = "patch:attach note[attached fedora to]";
const running = "note[gaming-live is running:]";

describe("planAttach", () => {
  const rows: [Drive, Drive | "stopped", Partial<MediaRead>, string][] = [
    // Stopped: the ISO goes in cold, booting first, whatever the drive held.
    ["none", "stopped", {}, cold],
    ["empty", "stopped", {}, cold],
    ["live", "stopped", {}, cold],
    // Running with an empty drive and declarative changes: inserted live, no restart.
    ["empty", "empty", {}, "patch:insert(hotplug) wait:fedora"],
    // A medium inserted live is swapped live: eject (the plan stops if it does not leave), then insert.
    ["live", "live", {}, "patch:eject wait:empty! patch:insert(hotplug) wait:fedora"],
    // The spec's drive emptied for the next boot while the drive is empty now: only the insert.
    ["empty", "live", {}, "patch:insert(hotplug) wait:fedora"],
    // A medium that went in at boot stays until the next boot: said, then a cold attach.
    ["boot", "boot", {}, `note[the medium in] ${cold} ${running}`],
    [
      "boot",
      "boot",
      { restart: true },
      `note[the medium in] ${cold} restart note[restarting gaming-live so]`,
    ],
    // Without declarative changes, or without the drive in the running VM, every change is cold.
    ["empty", "empty", { declarative: false }, `${cold} ${running}`],
    ["empty", "none", {}, `${cold} ${running}`],
    ["none", "none", {}, `${cold} ${running}`],
    ["none", "none", { restart: true }, `${cold} restart note[restarting gaming-live so]`],
  ];

  it.each(rows)("spec drive %s, running %s, %o", (drive, runningDrive, options, want) => {
    expect(summary(() => planAttach(read(drive, runningDrive, options), fedora))).toBe(want);
  });

  it("adding a drivers disk while running is cold: the drive set changes", () => {
    const drivers = { kind: "dataVolume", name: "virtio-win" } as const;
    expect(summary(() => planAttach(read("empty", "empty"), fedora, drivers))).toBe(`${cold} ${running}`);
  });

  it("a VM without a disk to boot afterwards is refused", () => {
    const bare = read("none", "stopped");
    const spec = bare.vm.spec.template?.spec;
    if (spec) spec.domain.devices.disks = [];
    expect(summary(() => planAttach(bare, fedora))).toBe(
      "refused: gaming-live has no disk to boot after the installer",
    );
  });

  it("records the media so apply keeps them; a live insert is marked hotplugged", () => {
    const [insert] = planAttach(read("empty", "empty"), fedora);
    expect(insert).toEqual({
      kind: "patch",
      change: { kind: "insert", iso: fedora },
      state: { iso: fedora, systemDisk: "system", hotplugged: true },
    });
  });
});

describe("planDetach", () => {
  it.each([
    ["none", "stopped", false, "patch:detach note[gaming-live had no]"],
    ["live", "stopped", false, "patch:detach note[detached iso from]"],
    ["live", "live", false, `patch:detach note[detached iso from] ${running}`],
    ["live", "live", true, "patch:detach note[detached iso from] restart note[restarting gaming-live so]"],
  ] as const)("spec drive %s, running %s, restart %s", (drive, runningDrive, restart, want) => {
    expect(summary(() => planDetach(read(drive, runningDrive, { restart })))).toBe(want);
  });
});

describe("planEject", () => {
  it.each([
    ["live", "live", {}, "patch:eject wait:empty"],
    ["boot", "boot", {}, `patch:eject note[ejected old from] ${running}`],
    [
      "boot",
      "boot",
      { restart: true },
      "patch:eject note[ejected old from] restart note[restarting gaming-live so]",
    ],
    ["live", "stopped", {}, "patch:eject note[ejected old from]"],
    // The drive still holds a medium live, but the spec names another one: it leaves at the next boot.
    ["empty", "live", {}, "note[gaming-live's ISO drive]"],
    ["none", "stopped", {}, "note[gaming-live has no]"],
    [
      "live",
      "live",
      { declarative: false },
      "refused: an empty CD-ROM drive needs KubeVirt v1.6 or later with the DeclarativeHotplugVolumes feature gate; gpuvm iso detach gaming-live removes the drive instead",
    ],
  ] as const)("spec drive %s, running %s, %o", (drive, runningDrive, options, want) => {
    expect(summary(() => planEject(read(drive, runningDrive, options)))).toBe(want);
  });
});
