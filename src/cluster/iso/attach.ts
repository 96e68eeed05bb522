// gpuvm iso attach/detach/eject against the cluster: a JSON patch (guarded by resourceVersion, own field
// manager, strict field validation) that rewrites the VM's disks and volumes by the rules in media.ts. A
// running VM keeps its devices until it boots again. Where KubeVirt changes CD-ROM media declaratively
// (the DeclarativeHotplugVolumes gate, KubeVirt ≥ 1.6), the medium of an existing drive changes live: a
// medium goes into an empty drive as a hotpluggable volume, and only such a medium can be taken out again
// while the VM runs (one inserted at boot stays until the next boot). A swap is an eject, then an insert.
import { setTimeout as sleep } from "node:timers/promises";
import { isDeepStrictEqual } from "node:util";
import type { V1VirtualMachine } from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import { compareVersions, DECLARATIVE_HOTPLUG_GATE, KUBEVIRT, parseVersion } from "../../model/versions.js";
import type { KubeClient } from "../client.js";
import { ClusterError } from "../errors.js";
import { FIELD_MANAGERS } from "../field-managers.js";
import { type FoundVm, findVm, liveInstance, type VmTarget, vmPath } from "../vm-lookup.js";
import {
  attachedDevices,
  detachedDevices,
  ejectedVolumes,
  findSystemDisk,
  hasIsoDrive,
  injectedVolumes,
  isHotpluggable,
  isoMedium,
  MEDIA_ANNOTATION,
  type MediaState,
  mediumInDrive,
  readMediaState,
  type VolumeRef,
} from "./media.js";

const FIELD_MANAGER = FIELD_MANAGERS.iso;
export const DEFAULT_DRIVERS_VOLUME = "virtio-win";
/** How long gpuvm waits for KubeVirt to carry a medium change into the running VM. */
const LIVE_CHANGE_TIMEOUT_MS = 60_000;

export interface MediaRequest extends VmTarget {
  api: KubeClient;
  /** The lab's system disk key, when a lab file was given. */
  systemDisk?: string;
  restart?: boolean;
}

export interface MediaOutcome {
  vm: string;
  /** What the user should know, one line each. */
  notes: string[];
}

async function resolveVolume(api: KubeClient, ns: string, name: string): Promise<VolumeRef> {
  if (await api.find(`/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes/${name}`)) {
    return { kind: "dataVolume", name };
  }
  if (await api.find(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`)) {
    return { kind: "persistentVolumeClaim", name };
  }
  throw new Error(`no volume "${name}" in namespace ${ns} (upload one with gpuvm iso upload)`);
}

/** Whether this cluster's KubeVirt swaps CD-ROM media declaratively (gate on, version ≥ 1.6). */
export async function declarativeHotplug(api: KubeClient): Promise<boolean> {
  try {
    const list = await api.request<{
      items: {
        spec?: { configuration?: { developerConfiguration?: { featureGates?: string[] } } };
        status?: { observedKubeVirtVersion?: string };
      }[];
    }>("GET", "/apis/kubevirt.io/v1/kubevirts");
    const kv = list.items[0];
    if (!kv) return false;
    const gates = kv.spec?.configuration?.developerConfiguration?.featureGates ?? [];
    // A pre-release ("v1.6.0-rc.1") counts as its release; an unknown version takes the safe path.
    const version = parseVersion((kv.status?.observedKubeVirtVersion ?? "").split(/[-+]/)[0] ?? "");
    const recent = version !== undefined && compareVersions(version, KUBEVIRT.declarativeHotplug) >= 0;
    return recent && gates.includes(DECLARATIVE_HOTPLUG_GATE);
  } catch {
    // Users without read access to the KubeVirt CR get the path that works everywhere.
    return false;
  }
}

const mediaKey = `/metadata/annotations/${MEDIA_ANNOTATION.replace(/~/g, "~0").replace(/\//g, "~1")}`;

function patchOps(
  vm: V1VirtualMachine,
  devices: { disks: unknown[]; volumes: unknown[] },
  state?: MediaState,
) {
  const hasAnnotations = vm.metadata?.annotations !== undefined;
  const ops: unknown[] = [
    // The patch is guarded by exactly what the edit was computed from (the drives, the volumes and
    // gpuvm's media record), not by the whole object's resourceVersion: a controller writing status or
    // labels between our read and our patch changes nothing we decided on, while a concurrent edit of
    // the drives still fails the "test" ops with 422 instead of being overwritten.
    ...guardOps(vm),
    { op: "replace", path: "/spec/template/spec/domain/devices/disks", value: devices.disks },
    { op: "add", path: "/spec/template/spec/volumes", value: devices.volumes },
  ];
  if (state) {
    ops.push(
      hasAnnotations
        ? { op: "add", path: mediaKey, value: JSON.stringify(state) }
        : { op: "add", path: "/metadata/annotations", value: { [MEDIA_ANNOTATION]: JSON.stringify(state) } },
    );
  } else if (vm.metadata?.annotations?.[MEDIA_ANNOTATION] !== undefined) {
    ops.push({ op: "remove", path: mediaKey });
  }
  return ops;
}

/**
 * JSON-patch "test" ops over the parts of the VM an ISO edit depends on, as they were read. A part
 * that is absent cannot be tested (JSON Patch has no "absent" test); the edit then adds it whole.
 */
function guardOps(vm: V1VirtualMachine): { op: "test"; path: string; value: unknown }[] {
  const spec = vm.spec?.template?.spec;
  const guarded: [string, unknown][] = [
    ["/spec/template/spec/domain/devices/disks", spec?.domain?.devices?.disks],
    ["/spec/template/spec/volumes", spec?.volumes],
    [mediaKey, vm.metadata?.annotations?.[MEDIA_ANNOTATION]],
  ];
  return guarded.flatMap(([path, value]) =>
    value === undefined ? [] : [{ op: "test" as const, path, value }],
  );
}

/** The drives changed between our read and our patch (another edit won): read it again. */
class StaleRead extends Error {}

async function patch(api: KubeClient, ns: string, name: string, ops: unknown[]): Promise<V1VirtualMachine> {
  try {
    return await api.request<V1VirtualMachine>("PATCH", vmPath(ns, name), {
      body: ops,
      contentType: "application/json-patch+json",
      query: { fieldManager: FIELD_MANAGER, fieldValidation: "Strict" },
    });
  } catch (error) {
    // A failed "test" op answers a bare 422 Invalid; comparing the guarded parts now with those we
    // read tells a lost race (read again) from a real refusal (reported as it is).
    if (error instanceof ClusterError && error.code === 422) {
      const read = ops.filter((op) => (op as { op: string }).op === "test");
      const now = await api.find<V1VirtualMachine>(vmPath(ns, name));
      if (now && !isDeepStrictEqual(guardOps(now), read))
        throw new StaleRead(`${name} changed while being edited`);
    }
    throw error;
  }
}

/** Runs a read-compute-patch again while the VM keeps changing underneath it, pausing a little longer each time. */
async function freshRead<T>(edit: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await edit();
    } catch (error) {
      if (!(error instanceof StaleRead) || attempt >= 8) throw error;
      await sleep(25 * attempt * (1 + Math.random()));
    }
  }
}

async function restartOrNote(
  api: KubeClient,
  found: FoundVm,
  req: MediaRequest,
  notes: string[],
): Promise<void> {
  if (!found.instance) return;
  if (req.restart) {
    await api.request(
      "PUT",
      `/apis/subresources.kubevirt.io/v1/namespaces/${req.namespace}/virtualmachines/${found.name}/restart`,
      {
        body: {},
      },
    );
    notes.push(`restarting ${found.name} so it boots with the new devices`);
  } else {
    notes.push(`${found.name} is running: the change applies at its next boot (or run again with --restart)`);
  }
}

/**
 * Waits until the running VM's ISO drive holds `wanted` (a volume name; undefined: empty): KubeVirt's VM
 * controller carries the VM's hotpluggable volumes into the VMI's spec. False when it did not in time.
 */
async function waitForMedium(
  api: KubeClient,
  ns: string,
  name: string,
  wanted: string | undefined,
): Promise<boolean> {
  const deadline = Date.now() + LIVE_CHANGE_TIMEOUT_MS;
  for (;;) {
    const vmi = await liveInstance(api, ns, name);
    const medium = vmi ? mediumInDrive(vmi) : undefined;
    const holds = medium ? mediumName(medium) : undefined;
    if (holds === wanted) return true;
    if (!vmi || Date.now() > deadline) return false;
    await sleep(250);
  }
}

export async function attachIso(
  req: MediaRequest & { volume: string; drivers?: string },
): Promise<MediaOutcome> {
  // The volumes are looked up once, before the VM is read: the read-compute-patch that may have to run
  // again stays as short as it can be.
  const iso = await resolveVolume(req.api, req.namespace, req.volume);
  const drivers = req.drivers ? await resolveVolume(req.api, req.namespace, req.drivers) : undefined;
  return freshRead(() => attachOnce(req, iso, drivers));
}

export function detachIso(req: MediaRequest): Promise<MediaOutcome> {
  return freshRead(() => detachOnce(req));
}

export function ejectIso(req: MediaRequest): Promise<MediaOutcome> {
  return freshRead(() => ejectOnce(req));
}

async function attachOnce(
  req: MediaRequest,
  iso: VolumeRef,
  drivers: VolumeRef | undefined,
): Promise<MediaOutcome> {
  const { api, namespace: ns } = req;
  const found = await findVm(api, req);
  const systemDisk = req.systemDisk ?? findSystemDisk(found.object);
  if (!systemDisk) throw new Error(`${found.name} has no disk to boot after the installer`);
  const state: MediaState = { iso, ...(drivers ? { drivers } : {}), systemDisk };
  const notes: string[] = [];

  const current = readMediaState(found.object);
  const disks = found.object.spec.template?.spec?.domain.devices.disks ?? [];
  const sameDrives = (current?.drivers?.name ?? "") === (drivers?.name ?? "");
  // What the running VM's drive holds decides, not the spec: a medium ejected from the spec for the next
  // boot is still in the drive of the running VM.
  const running = found.instance;
  const inDrive = running ? mediumInDrive(running) : undefined;
  const liveCapable =
    running &&
    hasIsoDrive(running.spec.domain.devices.disks) &&
    hasIsoDrive(disks) &&
    sameDrives &&
    (await declarativeHotplug(api));
  if (liveCapable && (!inDrive || isHotpluggable(inDrive))) {
    const medium = isoMedium(found.object);
    let vm = found.object;
    if (medium) {
      // KubeVirt swaps a medium as an eject followed by an insert, each carried into the running VM.
      const emptied: MediaState = { systemDisk, ...(drivers ? { drivers } : {}) };
      vm = await patch(api, ns, found.name, patchOps(vm, { disks, volumes: ejectedVolumes(vm) }, emptied));
      if (!(await waitForMedium(api, ns, found.name, undefined))) {
        throw new Error(
          `KubeVirt did not eject ${mediumName(medium)} from the running ${found.name} within ${LIVE_CHANGE_TIMEOUT_MS / 1000} s ` +
            `(kubectl describe vmi ${found.name} -n ${ns}); its ISO drive is left empty in the VM's spec`,
        );
      }
    }
    await patch(
      api,
      ns,
      found.name,
      patchOps(vm, { disks, volumes: injectedVolumes(vm, iso) }, { ...state, hotplugged: true }),
    );
    const inserted = await waitForMedium(api, ns, found.name, iso.name);
    notes.push(
      inserted
        ? `inserted ${iso.name} into the running ${found.name}'s CD-ROM (declarative hotplug, no restart)`
        : `asked KubeVirt to insert ${iso.name} into the running ${found.name}; it has not shown after ${LIVE_CHANGE_TIMEOUT_MS / 1000} s ` +
            `(kubectl describe vmi ${found.name} -n ${ns})`,
    );
    return { vm: found.name, notes };
  }
  if (liveCapable && inDrive) {
    notes.push(
      `the medium in ${found.name}'s ISO drive (${mediumName(inDrive)}) went in at boot; KubeVirt takes such a medium out only at the next boot`,
    );
  }
  await patch(api, ns, found.name, patchOps(found.object, attachedDevices(found.object, state), state));
  notes.push(
    `attached ${iso.name} to ${found.name} as a SATA CD-ROM booting first (${systemDisk} boots second)` +
      (drivers ? `, drivers from ${drivers.name} as a second CD-ROM` : ""),
  );
  await restartOrNote(api, found, req, notes);
  return { vm: found.name, notes };
}

function mediumName(medium: {
  dataVolume?: { name: string };
  persistentVolumeClaim?: { claimName: string };
}) {
  return medium.dataVolume?.name ?? medium.persistentVolumeClaim?.claimName ?? "?";
}

async function detachOnce(req: MediaRequest): Promise<MediaOutcome> {
  const { api, namespace: ns } = req;
  const found = await findVm(api, req);
  const systemDisk = req.systemDisk ?? findSystemDisk(found.object);
  if (!systemDisk) throw new Error(`${found.name} has no system disk to boot`);
  const notes: string[] = [];
  const before = found.object.spec.template?.spec?.domain.devices.disks ?? [];
  const cdroms = before.filter((disk) => disk.cdrom).map((disk) => disk.name);
  await patch(
    api,
    ns,
    found.name,
    patchOps(found.object, detachedDevices(found.object, systemDisk), undefined),
  );
  notes.push(
    cdroms.length > 0
      ? `detached ${cdroms.join(", ")} from ${found.name}; ${systemDisk} boots first (the volumes are kept)`
      : `${found.name} had no CD-ROM; ${systemDisk} boots first`,
  );
  await restartOrNote(api, found, req, notes);
  return { vm: found.name, notes };
}

/** Takes the medium out of the ISO drive and keeps the (empty) drive: live for a medium inserted live. */
async function ejectOnce(req: MediaRequest): Promise<MediaOutcome> {
  const { api, namespace: ns } = req;
  const found = await findVm(api, req);
  if (!(await declarativeHotplug(api))) {
    throw new Error(
      "an empty CD-ROM drive needs KubeVirt v1.6 or later with the DeclarativeHotplugVolumes feature gate; " +
        `gpuvm iso detach ${found.name} removes the drive instead`,
    );
  }
  const disks = found.object.spec.template?.spec?.domain.devices.disks ?? [];
  if (!hasIsoDrive(disks)) {
    return { vm: found.name, notes: [`${found.name} has no ISO drive; nothing to eject`] };
  }
  const medium = isoMedium(found.object);
  if (!medium) return { vm: found.name, notes: [`${found.name}'s ISO drive is already empty`] };
  const systemDisk = req.systemDisk ?? findSystemDisk(found.object);
  if (!systemDisk) throw new Error(`${found.name} has no system disk to boot`);
  const drivers = readMediaState(found.object)?.drivers;
  const state: MediaState = { systemDisk, ...(drivers ? { drivers } : {}) };
  await patch(
    api,
    ns,
    found.name,
    patchOps(found.object, { disks, volumes: ejectedVolumes(found.object) }, state),
  );
  const notes: string[] = [];
  const name = mediumName(medium);
  const inDrive = found.instance ? mediumInDrive(found.instance) : undefined;
  if (found.instance && inDrive && isHotpluggable(inDrive) && mediumName(inDrive) === name) {
    notes.push(
      (await waitForMedium(api, ns, found.name, undefined))
        ? `ejected ${name} from the running ${found.name} (declarative hotplug, no restart); the drive stays, empty`
        : `asked KubeVirt to eject ${name} from the running ${found.name}; it has not after ${LIVE_CHANGE_TIMEOUT_MS / 1000} s ` +
            `(kubectl describe vmi ${found.name} -n ${ns})`,
    );
    return { vm: found.name, notes };
  }
  notes.push(`ejected ${name} from ${found.name}'s ISO drive; the drive stays, empty`);
  // A medium that went in at boot leaves the running VM only when it boots again.
  await restartOrNote(api, found, req, notes);
  return { vm: found.name, notes };
}
