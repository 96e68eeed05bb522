// Whether a lock's holder has gone quiet, judged without comparing clocks: another client's timestamps
// come from its own clock, which may be hours off this one's. Instead this machine watches the object's
// resourceVersion (which changes on every write) on its own monotonic clock: unchanged for the whole
// lease duration means the holder has not written for at least that long.
import { setTimeout as sleep } from "node:timers/promises";

interface Versioned {
  metadata: { resourceVersion?: string };
}

export type Observation<T> = { unchanged: true } | { unchanged: false; now: T | undefined };

/**
 * Re-reads the object until it changes (or disappears), or until it has kept `seen`'s resourceVersion for
 * `durationMs` as measured here.
 */
export async function observeUnchanged<T extends Versioned>(
  read: () => Promise<T | undefined>,
  seen: T,
  durationMs: number,
  pollMs = 250,
  signal?: AbortSignal,
): Promise<Observation<T>> {
  const started = performance.now();
  for (;;) {
    const left = durationMs - (performance.now() - started);
    if (left <= 0) return { unchanged: true };
    // A cancelled start stops watching at once (sleep rejects with the signal's reason).
    await sleep(Math.min(pollMs, left), undefined, signal ? { signal } : undefined);
    const now = await read();
    if (!now || now.metadata.resourceVersion !== seen.metadata.resourceVersion)
      return { unchanged: false, now };
  }
}
