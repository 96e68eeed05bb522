import type { HostReader } from "../reader.js";

/**
 * A process with a device node open: a VFIO group or device (a running VM, QEMU), or a GPU's
 * own node under its host driver (`/dev/dri/card0` for a desktop session, `/dev/nvidia0` for a
 * CUDA job or nvidia-persistenced).
 */
export interface VfioOpener {
  pid: number;
  /** `proc/<pid>/comm`, e.g. `qemu-kvm`; null when unreadable. */
  comm: string | null;
  /** `/dev/vfio/12`, `/dev/vfio/devices/vfio0` (the per-device, iommufd interface), `/dev/dri/renderD128`, `/dev/nvidia0`. */
  path: string;
}

export interface VfioOpen {
  openers: VfioOpener[];
  /** Processes whose open files could not be listed (another user's, when not root). */
  unreadable: number;
}

const WATCHED_NODE = /^\/dev\/(vfio\/(\d+|devices\/vfio\d+)|dri\/(card|renderD)\d+|nvidia\d+)$/;

/**
 * Every open VFIO or GPU node, from the `proc/<pid>/fd` links. The links are only read, never
 * followed: their text is the path the process opened.
 */
export function readVfioOpen(reader: HostReader): VfioOpen {
  const procs = reader.listDir("proc");
  const openers: VfioOpener[] = [];
  let unreadable = 0;
  for (const pid of procs.ok ? procs.value : []) {
    if (!/^\d+$/.test(pid)) continue;
    const fds = reader.listDir(`proc/${pid}/fd`);
    if (!fds.ok) {
      // A process that ended between the two reads is not a holder; anything else is unknown.
      if (!fds.missing) unreadable += 1;
      continue;
    }
    for (const fd of fds.value) {
      const target = reader.readLink(`proc/${pid}/fd/${fd}`);
      if (!target.ok || !WATCHED_NODE.test(target.value)) continue;
      if (openers.some((o) => o.pid === Number(pid) && o.path === target.value)) continue;
      const comm = reader.readText(`proc/${pid}/comm`);
      openers.push({ pid: Number(pid), comm: comm.ok ? comm.value.trim() : null, path: target.value });
    }
  }
  return { openers, unreadable };
}
