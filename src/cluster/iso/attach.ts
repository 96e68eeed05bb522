// gpuvm iso attach/detach against the cluster: a JSON patch (guarded by resourceVersion, own field manager,
// strict field validation) that rewrites the VM's disks and volumes by the rules in media.ts. A running VM
// keeps its devices until it boots again, unless KubeVirt can swap the medium of an existing CD-ROM
// declaratively (the DeclarativeHotplugVolumes gate, KubeVirt ≥ 1.6).
import type { V1VirtualMachine } from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import { ApiError, type KubeApi } from "../kube-request.js";
import { type FoundVm, findVm, type VmTarget, vmPath } from "../vm-lookup.js";
import {
  attachedDevices,
  detachedDevices,
  findSystemDisk,
  ISO_DISK,
  injectedVolumes,
  MEDIA_ANNOTATION,
  type MediaState,
  readMediaState,
  type VolumeRef,
} from "./media.js";

export const FIELD_MANAGER = "gpuvm-iso";
export const DEFAULT_DRIVERS_VOLUME = "virtio-win";
const HOTPLUG_GATE = "DeclarativeHotplugVolumes";

export interface MediaRequest extends VmTarget {
  api: KubeApi;
  /** The lab's system disk key, when a lab file was given. */
  systemDisk?: string;
  restart?: boolean;
}

export interface MediaOutcome {
  vm: string;
  /** What the user should know, one line each. */
  notes: string[];
}

async function resolveVolume(api: KubeApi, ns: string, name: string): Promise<VolumeRef> {
  if (await api.find(`/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes/${name}`)) {
    return { kind: "dataVolume", name };
  }
  if (await api.find(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`)) {
    return { kind: "persistentVolumeClaim", name };
  }
  throw new Error(`no volume "${name}" in namespace ${ns} (upload one with gpuvm iso upload)`);
}

/** Whether this cluster's KubeVirt swaps CD-ROM media declaratively (gate on, version ≥ 1.6). */
export async function declarativeHotplug(api: KubeApi): Promise<boolean> {
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
    const version = /^v?(\d+)\.(\d+)/.exec(kv.status?.observedKubeVirtVersion ?? "");
    const recent = version
      ? Number(version[1]) > 1 || (Number(version[1]) === 1 && Number(version[2]) >= 6)
      : false;
    return recent && gates.includes(HOTPLUG_GATE);
  } catch {
    // Users without read access to the KubeVirt CR get the path that works everywhere.
    return false;
  }
}

function patchOps(
  vm: V1VirtualMachine,
  devices: { disks: unknown[]; volumes: unknown[] },
  state?: MediaState,
) {
  const hasAnnotations = vm.metadata?.annotations !== undefined;
  const key = `/metadata/annotations/${MEDIA_ANNOTATION.replace(/~/g, "~0").replace(/\//g, "~1")}`;
  const ops: unknown[] = [
    // Fails with 422 if someone changed the VM since we read it, instead of overwriting their change.
    { op: "test", path: "/metadata/resourceVersion", value: vm.metadata?.resourceVersion },
    { op: "replace", path: "/spec/template/spec/domain/devices/disks", value: devices.disks },
    { op: "add", path: "/spec/template/spec/volumes", value: devices.volumes },
  ];
  if (state) {
    ops.push(
      hasAnnotations
        ? { op: "add", path: key, value: JSON.stringify(state) }
        : { op: "add", path: "/metadata/annotations", value: { [MEDIA_ANNOTATION]: JSON.stringify(state) } },
    );
  } else if (vm.metadata?.annotations?.[MEDIA_ANNOTATION] !== undefined) {
    ops.push({ op: "remove", path: key });
  }
  return ops;
}

/** The VM changed between our read and our patch (its controller wrote status): read it again. */
class StaleRead extends Error {}

async function patch(api: KubeApi, ns: string, name: string, ops: unknown[]): Promise<V1VirtualMachine> {
  try {
    return await api.request<V1VirtualMachine>("PATCH", vmPath(ns, name), {
      body: ops,
      contentType: "application/json-patch+json",
      query: { fieldManager: FIELD_MANAGER, fieldValidation: "Strict" },
    });
  } catch (error) {
    // A failed "test" op answers a bare 422 Invalid; the resourceVersion tells it from a real refusal.
    if (error instanceof ApiError && error.code === 422) {
      const read = (ops[0] as { value?: string }).value;
      const now = await api.find<V1VirtualMachine>(vmPath(ns, name));
      if (now && now.metadata?.resourceVersion !== read)
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
      await new Promise((resolve) => setTimeout(resolve, 25 * attempt * (1 + Math.random())));
    }
  }
}

async function restartOrNote(
  api: KubeApi,
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

export function attachIso(req: MediaRequest & { volume: string; drivers?: string }): Promise<MediaOutcome> {
  return freshRead(() => attachOnce(req));
}

export function detachIso(req: MediaRequest): Promise<MediaOutcome> {
  return freshRead(() => detachOnce(req));
}

async function attachOnce(req: MediaRequest & { volume: string; drivers?: string }): Promise<MediaOutcome> {
  const { api, namespace: ns } = req;
  const found = await findVm(api, req);
  const iso = await resolveVolume(api, ns, req.volume);
  const drivers = req.drivers ? await resolveVolume(api, ns, req.drivers) : undefined;
  const systemDisk = req.systemDisk ?? findSystemDisk(found.object);
  if (!systemDisk) throw new Error(`${found.name} has no disk to boot after the installer`);
  const state: MediaState = { iso, ...(drivers ? { drivers } : {}), systemDisk };
  const notes: string[] = [];

  const current = readMediaState(found.object);
  const hasIsoDrive = found.object.spec.template?.spec?.domain.devices.disks?.some(
    (d) => d.name === ISO_DISK && d.cdrom,
  );
  const sameDrives = (current?.drivers?.name ?? "") === (drivers?.name ?? "");
  if (found.instance && hasIsoDrive && sameDrives && (await declarativeHotplug(api))) {
    // Only the medium changes: KubeVirt injects it into the running VM's CD-ROM, no restart needed.
    const ops = patchOps(
      found.object,
      {
        disks: found.object.spec.template?.spec?.domain.devices.disks ?? [],
        volumes: injectedVolumes(found.object, iso),
      },
      state,
    );
    await patch(api, ns, found.name, ops);
    notes.push(`inserted ${iso.name} into the running ${found.name}'s CD-ROM (declarative hotplug)`);
    return { vm: found.name, notes };
  }
  await patch(api, ns, found.name, patchOps(found.object, attachedDevices(found.object, state), state));
  notes.push(
    `attached ${iso.name} to ${found.name} as a SATA CD-ROM booting first (${systemDisk} boots second)` +
      (drivers ? `, drivers from ${drivers.name} as a second CD-ROM` : ""),
  );
  await restartOrNote(api, found, req, notes);
  return { vm: found.name, notes };
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
