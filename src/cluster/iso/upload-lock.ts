// One upload at a time into a volume: a Lease per upload DataVolume, beside it in its namespace. CDI's
// upload server turns a second stream away only while the first is still being received (503) and
// takes a fresh one after a failure, so two gpuvm runs retrying into one volume could interleave, and
// each would record its own checksum on it. The lease keeps the second run out until the first is done.
//
// The holder renews the lease while it works. Another run judges it abandoned only after seeing it
// unchanged for its whole duration on its own monotonic clock (stale.ts): no clock of another machine
// is read, so a crashed upload frees the volume by itself and a live one is never taken over.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { GpuvmError } from "../../errors.js";
import { LABEL_MANAGED_BY, MANAGER } from "../../render/labels.js";
import type { KubeClient } from "../client.js";
import { ClusterError } from "../errors.js";
import { type Lease, microTime } from "../leases.js";
import { observeUnchanged } from "../stale.js";

/** Seconds without a renewal after which an upload's lease counts as abandoned. */
export const UPLOAD_LOCK_SECONDS = 30;
const RENEW_MS = (UPLOAD_LOCK_SECONDS * 1000) / 3;

export function uploadLockName(volume: string): string {
  // Volume names are DNS labels (63 at most), so the prefix keeps this injective and within 253.
  return `gpuvm-upload-${volume}`;
}

const leaseRef = (namespace: string, name: string) => ({
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  namespace,
  name,
});

export interface UploadLock {
  /** Set when a renewal found the lease taken over: this run must not record anything. */
  readonly lost: boolean;
  release(): Promise<void>;
}

/** The volume is being uploaded into by another run that is alive. */
export class UploadBusyError extends GpuvmError {
  constructor(ns: string, volume: string, holder: string) {
    super(`another gpuvm (${holder}) is uploading into ${ns}/${volume} right now`, {
      hint:
        "wait for it to finish, then run this again: the same image is reused without a second upload, " +
        "a different one is refused; or choose another --name",
    });
  }
}

export interface LockOptions {
  report(line: string): void;
}

async function read(api: KubeClient, ns: string, name: string): Promise<Lease | undefined> {
  return api.get<Lease>(leaseRef(ns, name));
}

/** Takes the volume's upload lease, waiting out an abandoned one; refuses while a live run holds it. */
export async function lockUpload(
  api: KubeClient,
  ns: string,
  volume: string,
  options: LockOptions,
): Promise<UploadLock> {
  const name = uploadLockName(volume);
  const holder = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const fresh = (): Lease => ({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name, namespace: ns, labels: { [LABEL_MANAGED_BY]: MANAGER } },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: UPLOAD_LOCK_SECONDS,
      renewTime: microTime(new Date()),
    },
  });
  for (;;) {
    try {
      const created = await api.create<Lease>(fresh());
      return holdLock(api, ns, created, holder);
    } catch (error) {
      if (!(error instanceof ClusterError && error.conflict)) throw error;
    }
    const seen = await read(api, ns, name);
    if (!seen) continue;
    const other = seen.spec.holderIdentity ?? "another run";
    const seconds = seen.spec.leaseDurationSeconds ?? UPLOAD_LOCK_SECONDS;
    options.report(
      `${ns}/${volume} is locked by an upload of ${other}; watching ${seconds} s for it to renew`,
    );
    const observed = await observeUnchanged(() => read(api, ns, name), seen, seconds * 1000);
    if (!observed.unchanged) {
      if (observed.now === undefined) continue; // it finished and released: try again
      throw new UploadBusyError(ns, volume, other);
    }
    try {
      const taken = await api.replace<Lease>({ ...seen, spec: fresh().spec });
      options.report(`${other} left the lock unrenewed for ${seconds} s; taking it over`);
      return holdLock(api, ns, taken, holder);
    } catch (error) {
      // Someone else took it over first, or it was released: judge afresh.
      if (!(error instanceof ClusterError && (error.conflict || error.notFound))) throw error;
    }
  }
}

function holdLock(api: KubeClient, ns: string, lease: Lease, holder: string): UploadLock {
  let current = lease;
  let lost = false;
  let renewing: Promise<void> = Promise.resolve();
  const renew = async () => {
    try {
      current = await api.replace<Lease>({
        ...current,
        spec: { ...current.spec, renewTime: microTime(new Date()) },
      });
    } catch (error) {
      if (error instanceof ClusterError && (error.conflict || error.notFound)) lost = true;
      // Anything else (a blip): the next renewal tries again well within the lease's duration.
    }
  };
  const timer = setInterval(() => {
    if (!lost) renewing = renewing.then(renew);
  }, RENEW_MS);
  timer.unref();
  return {
    get lost() {
      return lost;
    },
    async release() {
      clearInterval(timer);
      await renewing;
      if (lost || current.spec.holderIdentity !== holder) return;
      try {
        await api.delete(leaseRef(ns, lease.metadata.name), {
          resourceVersion: current.metadata.resourceVersion as string,
        });
      } catch (error) {
        if (!(error instanceof ClusterError && (error.conflict || error.notFound))) throw error;
      }
    },
  };
}
