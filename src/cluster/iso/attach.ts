// gpuvm iso attach/detach/eject against the cluster: a JSON patch (guarded by resourceVersion, own field
// manager, strict field validation) that rewrites the VM's disks and volumes by the rules in media.ts. A
// running VM keeps its devices until it boots again. Where KubeVirt changes CD-ROM media declaratively
// (the DeclarativeHotplugVolumes gate, KubeVirt ≥ 1.6), the medium of an existing drive changes live: a
// medium goes into an empty drive as a hotpluggable volume, and only such a medium can be taken out again
// while the VM runs (one inserted at boot stays until the next boot). A swap is an eject, then an insert.
import { setTimeout as sleep } from "node:timers/promises";
import { isDeepStrictEqual } from "node:util";
import type { V1VirtualMachine } from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import { GpuvmError } from "../../errors.js";
import { compareVersions, DECLARATIVE_HOTPLUG_GATE, KUBEVIRT, parseVersion } from "../../model/versions.js";
import type { KubeClient } from "../client.js";
import { ClusterError } from "../errors.js";
import { FIELD_MANAGERS } from "../field-managers.js";
import { findVm, liveInstance, type VmTarget, vmPath } from "../vm-lookup.js";
import {
  type DeviceChange,
  LIVE_CHANGE_TIMEOUT_MS,
  type MediaRead,
  type MediaStep,
  mediumName,
  planAttach,
  planDetach,
  planEject,
} from "./attach-plan.js";
import {
  attachedDevices,
  detachedDevices,
  ejectedVolumes,
  injectedVolumes,
  MEDIA_ANNOTATION,
  type MediaState,
  mediumInDrive,
  type VolumeRef,
} from "./media.js";

const FIELD_MANAGER = FIELD_MANAGERS.iso;
export const DEFAULT_DRIVERS_VOLUME = "virtio-win";

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
  throw new GpuvmError(`no volume "${name}" in namespace ${ns}`, {
    hint: "upload one with gpuvm iso upload",
  });
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
class StaleRead extends GpuvmError {}

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
  return freshRead(async () => {
    const read = await readForMedia(req, false);
    return applyMediaPlan(req, read, planAttach(read, iso, drivers));
  });
}

export function detachIso(req: MediaRequest): Promise<MediaOutcome> {
  return freshRead(async () => {
    const read = await readForMedia(req, false);
    return applyMediaPlan(req, read, planDetach(read));
  });
}

export function ejectIso(req: MediaRequest): Promise<MediaOutcome> {
  return freshRead(async () => {
    const read = await readForMedia(req, true);
    return applyMediaPlan(req, read, planEject(read));
  });
}

/**
 * What the plans decide on. The KubeVirt CR is read only when it can matter: for a running VM, and for
 * eject, which needs an empty drive.
 */
async function readForMedia(req: MediaRequest, always: boolean): Promise<MediaRead> {
  const found = await findVm(req.api, req);
  const declarative = always || found.instance ? await declarativeHotplug(req.api) : false;
  return {
    name: found.name,
    namespace: req.namespace,
    vm: found.object,
    ...(found.instance ? { instance: found.instance } : {}),
    declarative,
    ...(req.systemDisk ? { systemDisk: req.systemDisk } : {}),
    restart: req.restart === true,
  };
}

function devicesFor(vm: V1VirtualMachine, change: DeviceChange) {
  const disks = vm.spec.template?.spec?.domain.devices.disks ?? [];
  switch (change.kind) {
    case "attach":
      return attachedDevices(vm, change.state);
    case "detach":
      return detachedDevices(vm, change.systemDisk);
    case "eject":
      return { disks, volumes: ejectedVolumes(vm) };
    case "insert":
      return { disks, volumes: injectedVolumes(vm, change.iso) };
  }
}

/** Sends the plan's patches in order, each computed from the VM the previous one answered. */
async function applyMediaPlan(req: MediaRequest, read: MediaRead, steps: MediaStep[]): Promise<MediaOutcome> {
  const { api, namespace: ns } = req;
  const notes: string[] = [];
  let vm = read.vm;
  for (const step of steps) {
    switch (step.kind) {
      case "patch":
        vm = await patch(api, ns, read.name, patchOps(vm, devicesFor(vm, step.change), step.state));
        break;
      case "wait-medium": {
        const there = await waitForMedium(api, ns, read.name, step.wanted);
        if (!there && step.fail) throw new GpuvmError(step.fail);
        const note = there ? step.done : step.late;
        if (note) notes.push(note);
        break;
      }
      case "restart":
        await api.request(
          "PUT",
          `/apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachines/${read.name}/restart`,
          { body: {} },
        );
        break;
      case "note":
        notes.push(step.text);
        break;
    }
  }
  return { vm: read.name, notes };
}
