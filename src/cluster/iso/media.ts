// The seed's boot-order rules as pure functions over a VirtualMachine: attach puts the ISO's CD-ROM first
// (bootOrder 1) and the system disk second; detach removes the CD-ROMs and gives the system disk 1 again.
// The state is also written to an annotation, so `gpuvm apply` can re-create the same disks and volumes
// (withMedia) instead of fighting over the atomic disks list.

import type { V1Disk, V1VirtualMachine, V1Volume } from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import { GpuvmError } from "../../errors.js";

/** Annotation on the VirtualMachine holding the attached media (JSON of MediaState). */
export const MEDIA_ANNOTATION = "gpuvm.io/iso-media";
export const ISO_DISK = "iso";
export const DRIVERS_DISK = "drivers";

export type VolumeRef = { kind: "dataVolume" | "persistentVolumeClaim"; name: string };

export interface MediaState {
  /** The medium in the ISO drive; absent when it was ejected (the drive stays, empty). */
  iso?: VolumeRef;
  /** The ISO's medium was inserted into the running VM (a hotpluggable volume), so it can be ejected live. */
  hotplugged?: boolean;
  drivers?: VolumeRef;
  /** Disk that boots once the installer is gone. */
  systemDisk: string;
}

function cdrom(name: string, bootOrder?: number): V1Disk {
  return { name, cdrom: { bus: "sata", readonly: true }, ...(bootOrder ? { bootOrder } : {}) };
}

function volume(name: string, ref: VolumeRef, hotpluggable: boolean): V1Volume {
  const flag = hotpluggable ? { hotpluggable: true } : {};
  return ref.kind === "dataVolume"
    ? { name, dataVolume: { name: ref.name, ...flag } }
    : { name, persistentVolumeClaim: { claimName: ref.name, readOnly: true, ...flag } };
}

function withoutBootOrder(disk: V1Disk): V1Disk {
  const { bootOrder: _dropped, ...rest } = disk;
  return rest;
}

function specParts(vm: V1VirtualMachine): { disks: V1Disk[]; volumes: V1Volume[] } {
  const spec = vm.spec.template?.spec;
  return { disks: spec?.domain.devices.disks ?? [], volumes: spec?.volumes ?? [] };
}

/** The disk that boots the installed system: the state's, else the non-CD-ROM disk that boots first. */
export function findSystemDisk(vm: V1VirtualMachine): string | undefined {
  const { disks } = specParts(vm);
  const state = readMediaState(vm);
  if (state) return state.systemDisk;
  const candidates = disks.filter((disk) => !disk.cdrom);
  const ordered = candidates
    .filter((disk) => disk.bootOrder !== undefined)
    .sort((a, b) => (a.bootOrder ?? 0) - (b.bootOrder ?? 0));
  return (ordered[0] ?? candidates[0])?.name;
}

export function readMediaState(vm: V1VirtualMachine): MediaState | undefined {
  const text = vm.metadata?.annotations?.[MEDIA_ANNOTATION];
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as MediaState;
    return parsed?.systemDisk ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Disks and volumes with every CD-ROM removed and the system disk booting first (the seed's detach). */
export function detachedDevices(
  vm: V1VirtualMachine,
  systemDisk: string,
): { disks: V1Disk[]; volumes: V1Volume[] } {
  const { disks, volumes } = specParts(vm);
  const removed = new Set(disks.filter((disk) => disk.cdrom).map((disk) => disk.name));
  return {
    disks: disks
      .filter((disk) => !removed.has(disk.name))
      .map((disk) =>
        disk.name === systemDisk ? { ...withoutBootOrder(disk), bootOrder: 1 } : withoutBootOrder(disk),
      ),
    volumes: volumes.filter((entry) => !removed.has(entry.name)),
  };
}

/** Disks and volumes with the ISO booting first, the system disk second and the drivers disk unordered. */
export function attachedDevices(
  vm: V1VirtualMachine,
  state: MediaState,
): { disks: V1Disk[]; volumes: V1Volume[] } {
  const base = detachedDevices(vm, state.systemDisk);
  const disks = base.disks.map((disk) =>
    disk.name === state.systemDisk ? { ...withoutBootOrder(disk), bootOrder: 2 } : disk,
  );
  disks.push(cdrom(ISO_DISK, 1));
  // Media in the drive at boot are cold-plugged: firmware boots only from what is there when it starts.
  const volumes = state.iso
    ? [...base.volumes, volume(ISO_DISK, state.iso, state.hotplugged === true)]
    : base.volumes;
  if (state.drivers) {
    disks.push(cdrom(DRIVERS_DISK));
    volumes.push(volume(DRIVERS_DISK, state.drivers, false));
  }
  return { disks, volumes };
}

type WithVolumes = { spec?: { volumes?: V1Volume[] } };

/** The medium in the VM's ISO drive, as its spec says (what the next boot gets). */
export function isoMedium(vm: V1VirtualMachine): V1Volume | undefined {
  return specParts(vm).volumes.find((entry) => entry.name === ISO_DISK);
}

/** The medium in a running instance's ISO drive: what the guest sees now. */
export function mediumInDrive(instance: WithVolumes): V1Volume | undefined {
  return instance.spec?.volumes?.find((entry) => entry.name === ISO_DISK);
}

/** Whether these disks (a VM's template or a running instance's) include the ISO drive. */
export function hasIsoDrive(disks: V1Disk[] = []): boolean {
  return disks.some((disk) => disk.name === ISO_DISK && disk.cdrom);
}

export function isHotpluggable(entry: V1Volume): boolean {
  return entry.dataVolume?.hotpluggable === true || entry.persistentVolumeClaim?.hotpluggable === true;
}

/** Volumes with the ISO drive's medium taken out (eject); the drive itself stays. */
export function ejectedVolumes(vm: V1VirtualMachine): V1Volume[] {
  return specParts(vm).volumes.filter((entry) => entry.name !== ISO_DISK);
}

/** Volumes with `iso` in the ISO drive as a hotpluggable medium: what KubeVirt inserts into a running VM. */
export function injectedVolumes(vm: V1VirtualMachine, iso: VolumeRef): V1Volume[] {
  return [...ejectedVolumes(vm), volume(ISO_DISK, iso, true)];
}

/** A copy of `vm` with `devices` in place and the media annotation set (or removed when `state` is absent). */
export function withDevices(
  vm: V1VirtualMachine,
  devices: { disks: V1Disk[]; volumes: V1Volume[] },
  state: MediaState | undefined,
): V1VirtualMachine {
  const annotations = { ...(vm.metadata?.annotations ?? {}) };
  if (state) annotations[MEDIA_ANNOTATION] = JSON.stringify(state);
  else delete annotations[MEDIA_ANNOTATION];
  const template = vm.spec.template;
  if (!template?.spec) throw new GpuvmError(`VirtualMachine ${vm.metadata?.name} has no template spec`);
  return {
    ...vm,
    metadata: { ...vm.metadata, annotations },
    spec: {
      ...vm.spec,
      template: {
        ...template,
        spec: {
          ...template.spec,
          domain: {
            ...template.spec.domain,
            devices: { ...template.spec.domain.devices, disks: devices.disks },
          },
          volumes: devices.volumes,
        },
      },
    },
  };
}

/**
 * For `gpuvm apply`: a freshly rendered VirtualMachine carrying the media the live object records, so an
 * apply while an ISO is attached keeps it attached (same disks list → no conflict with the attach manager).
 */
export function withMedia(rendered: V1VirtualMachine, live: V1VirtualMachine | undefined): V1VirtualMachine {
  const state = live ? readMediaState(live) : undefined;
  if (!state) return rendered;
  return withDevices(rendered, attachedDevices(rendered, state), state);
}
