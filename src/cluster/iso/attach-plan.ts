// The decisions of iso attach/detach/eject as pure functions: from the VM and its running instance as
// read (and whether KubeVirt changes media declaratively) to a plan of patches, waits, restarts and
// notes. attach.ts reads, applies the plan and reads again when the drives changed underneath it; the
// boot-order rules themselves are media.ts's.
import type {
  V1VirtualMachine,
  V1VirtualMachineInstance,
  V1Volume,
} from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import { GpuvmError } from "../../errors.js";
import {
  findSystemDisk,
  hasIsoDrive,
  isHotpluggable,
  isoMedium,
  type MediaState,
  mediumInDrive,
  readMediaState,
  type VolumeRef,
} from "./media.js";

/** How long gpuvm waits for KubeVirt to carry a medium change into the running VM. */
export const LIVE_CHANGE_TIMEOUT_MS = 60_000;

/** What a patch does to the disks and volumes of the VM as it is when the patch is sent. */
export type DeviceChange =
  | { kind: "attach"; state: MediaState }
  | { kind: "detach"; systemDisk: string }
  | { kind: "eject" }
  | { kind: "insert"; iso: VolumeRef };

export type MediaStep =
  /** One guarded JSON patch; `state` is the media record written with it (absent: removed). */
  | { kind: "patch"; change: DeviceChange; state?: MediaState }
  /**
   * Wait until the running VM's ISO drive holds `wanted` (undefined: empty). Then note `done`, or on a
   * timeout note `late`, or end with `fail` when the plan must not go on.
   */
  | { kind: "wait-medium"; wanted?: string; done?: string; late?: string; fail?: string }
  | { kind: "restart" }
  | { kind: "note"; text: string };

export interface MediaRead {
  /** The VirtualMachine's name. */
  name: string;
  namespace: string;
  vm: V1VirtualMachine;
  /** Its instance while it runs (not finished). */
  instance?: V1VirtualMachineInstance;
  /** KubeVirt ≥ 1.6 with DeclarativeHotplugVolumes: a drive's medium changes while the VM runs. */
  declarative: boolean;
  /** The lab's system disk, when a lab file was given. */
  systemDisk?: string;
  restart: boolean;
}

export function mediumName(medium: Pick<V1Volume, "dataVolume" | "persistentVolumeClaim">): string {
  return medium.dataVolume?.name ?? medium.persistentVolumeClaim?.claimName ?? "?";
}

const late = (read: MediaRead) =>
  `${LIVE_CHANGE_TIMEOUT_MS / 1000} s (kubectl describe vmi ${read.name} -n ${read.namespace})`;

/** A running VM keeps its devices until it boots again: restart it (--restart) or say so. */
function afterBoot(read: MediaRead): MediaStep[] {
  if (!read.instance) return [];
  if (read.restart) {
    return [
      { kind: "restart" },
      { kind: "note", text: `restarting ${read.name} so it boots with the new devices` },
    ];
  }
  return [
    {
      kind: "note",
      text: `${read.name} is running: the change applies at its next boot (or run again with --restart)`,
    },
  ];
}

function systemDiskOf(read: MediaRead, what: string): string {
  const disk = read.systemDisk ?? findSystemDisk(read.vm);
  if (!disk) throw new GpuvmError(`${read.name} has no ${what}`);
  return disk;
}

const disksOf = (vm: V1VirtualMachine) => vm.spec.template?.spec?.domain.devices.disks ?? [];

export function planAttach(read: MediaRead, iso: VolumeRef, drivers?: VolumeRef): MediaStep[] {
  const systemDisk = systemDiskOf(read, "disk to boot after the installer");
  const state: MediaState = { iso, ...(drivers ? { drivers } : {}), systemDisk };
  const sameDrives = (readMediaState(read.vm)?.drivers?.name ?? "") === (drivers?.name ?? "");
  // What the running VM's drive holds decides, not the spec: a medium ejected from the spec for the next
  // boot is still in the drive of the running VM.
  const running = read.instance;
  const inDrive = running ? mediumInDrive(running) : undefined;
  const liveCapable =
    running !== undefined &&
    hasIsoDrive(running.spec.domain.devices.disks) &&
    hasIsoDrive(disksOf(read.vm)) &&
    sameDrives &&
    read.declarative;
  if (liveCapable && (!inDrive || isHotpluggable(inDrive))) {
    const steps: MediaStep[] = [];
    const medium = isoMedium(read.vm);
    if (medium) {
      // KubeVirt swaps a medium as an eject followed by an insert, each carried into the running VM.
      steps.push(
        { kind: "patch", change: { kind: "eject" }, state: { systemDisk, ...(drivers ? { drivers } : {}) } },
        {
          kind: "wait-medium",
          fail:
            `KubeVirt did not eject ${mediumName(medium)} from the running ${read.name} within ${late(read)}; ` +
            "its ISO drive is left empty in the VM's spec",
        },
      );
    }
    steps.push(
      { kind: "patch", change: { kind: "insert", iso }, state: { ...state, hotplugged: true } },
      {
        kind: "wait-medium",
        wanted: iso.name,
        done: `inserted ${iso.name} into the running ${read.name}'s CD-ROM (declarative hotplug, no restart)`,
        late: `asked KubeVirt to insert ${iso.name} into the running ${read.name}; it has not shown after ${late(read)}`,
      },
    );
    return steps;
  }
  const steps: MediaStep[] = [];
  if (liveCapable && inDrive) {
    steps.push({
      kind: "note",
      text: `the medium in ${read.name}'s ISO drive (${mediumName(inDrive)}) went in at boot; KubeVirt takes such a medium out only at the next boot`,
    });
  }
  steps.push(
    { kind: "patch", change: { kind: "attach", state }, state },
    {
      kind: "note",
      text:
        `attached ${iso.name} to ${read.name} as a SATA CD-ROM booting first (${systemDisk} boots second)` +
        (drivers ? `, drivers from ${drivers.name} as a second CD-ROM` : ""),
    },
    ...afterBoot(read),
  );
  return steps;
}

export function planDetach(read: MediaRead): MediaStep[] {
  const systemDisk = systemDiskOf(read, "system disk to boot");
  const cdroms = disksOf(read.vm)
    .filter((disk) => disk.cdrom)
    .map((disk) => disk.name);
  return [
    { kind: "patch", change: { kind: "detach", systemDisk } },
    {
      kind: "note",
      text:
        cdroms.length > 0
          ? `detached ${cdroms.join(", ")} from ${read.name}; ${systemDisk} boots first (the volumes are kept)`
          : `${read.name} had no CD-ROM; ${systemDisk} boots first`,
    },
    ...afterBoot(read),
  ];
}

/** Takes the medium out of the ISO drive and keeps the (empty) drive: live for a medium inserted live. */
export function planEject(read: MediaRead): MediaStep[] {
  if (!read.declarative) {
    throw new GpuvmError(
      "an empty CD-ROM drive needs KubeVirt v1.6 or later with the DeclarativeHotplugVolumes feature gate; " +
        `gpuvm iso detach ${read.name} removes the drive instead`,
    );
  }
  if (!hasIsoDrive(disksOf(read.vm)))
    return [{ kind: "note", text: `${read.name} has no ISO drive; nothing to eject` }];
  const medium = isoMedium(read.vm);
  if (!medium) return [{ kind: "note", text: `${read.name}'s ISO drive is already empty` }];
  const systemDisk = systemDiskOf(read, "system disk to boot");
  const drivers = readMediaState(read.vm)?.drivers;
  const eject: MediaStep = {
    kind: "patch",
    change: { kind: "eject" },
    state: { systemDisk, ...(drivers ? { drivers } : {}) },
  };
  const name = mediumName(medium);
  const inDrive = read.instance ? mediumInDrive(read.instance) : undefined;
  if (inDrive && isHotpluggable(inDrive) && mediumName(inDrive) === name) {
    return [
      eject,
      {
        kind: "wait-medium",
        done: `ejected ${name} from the running ${read.name} (declarative hotplug, no restart); the drive stays, empty`,
        late: `asked KubeVirt to eject ${name} from the running ${read.name}; it has not after ${late(read)}`,
      },
    ];
  }
  // A medium that went in at boot leaves the running VM only when it boots again.
  return [
    eject,
    { kind: "note", text: `ejected ${name} from ${read.name}'s ISO drive; the drive stays, empty` },
    ...afterBoot(read),
  ];
}
