// gpuvm iso upload, end to end: refuse what is not an ISO before any request, take the volume's upload
// lock (one run at a time, upload-lock.ts), reuse a volume that already holds the same image, else create
// the upload DataVolume (or take over one an earlier run left unfinished), stream the whole file and
// record the size and SHA-256 of the bytes sent on the volume.

import { basename } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { V1beta1DataVolume } from "@kubevirt-ui-ext/kubevirt-api/containerized-data-importer";
import { GpuvmError } from "../../errors.js";
import type { KubeClient } from "../client.js";
import { ClusterError } from "../errors.js";
import { FIELD_MANAGERS } from "../field-managers.js";
import {
  FILE_ANNOTATION,
  SHA256_ANNOTATION,
  SIZE_ANNOTATION,
  uploadDataVolume,
  volumeNameFor,
  volumeSizeFor,
} from "./datavolume.js";
import { fileSha256, fileStamp } from "./file-hash.js";
import { checkImage } from "./image-format.js";
import { type OpenEndpoint, openUploadProxy } from "./proxy-endpoint.js";
import { sendOnce, supportsAsync, TransientUploadError } from "./transfer.js";
import { lockUpload, UPLOAD_LOCK_SECONDS, type UploadLock } from "./upload-lock.js";

export interface UploadReporter {
  info(line: string): void;
  start(total: number): void;
  progress(sent: number): void;
  stop(): void;
}

export interface UploadRequest {
  api: KubeClient;
  namespace: string;
  file: string;
  name?: string;
  size?: string;
  storageClass?: string;
  cdiNamespace?: string;
  attempts?: number;
  /** Milliseconds to wait for the DataVolume's phases (UploadReady, Succeeded). */
  phaseTimeoutMs?: number;
  reporter: UploadReporter;
  /** Test hook: the pause between attempts (default grows from 1 s). */
  retryDelayMs?: (attempt: number) => number;
}

export interface UploadResult {
  name: string;
  sha256: string;
  size: number;
  reused: boolean;
  /** Seconds the successful attempt spent sending the file (absent when the volume was reused). */
  transferSeconds?: number;
}

const dvPath = (ns: string, name?: string) =>
  `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes${name ? `/${name}` : ""}`;

async function waitForPhase(
  api: KubeClient,
  ns: string,
  name: string,
  wanted: string[],
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let phase = "";
  // Quick at first (CDI is often ready within a second), then no more than once a second.
  for (let pause = 100; ; pause = Math.min(pause * 1.5, 1000)) {
    const dv = await api.find<V1beta1DataVolume>(dvPath(ns, name));
    if (!dv) {
      throw new GpuvmError(`DataVolume ${ns}/${name} disappeared during the upload`, {
        hint: "someone deleted it: run the upload again",
      });
    }
    phase = dv.status?.phase ?? "";
    if (wanted.includes(phase)) return phase;
    if (phase === "Failed")
      throw new GpuvmError(`DataVolume ${ns}/${name} failed`, {
        hint: `see why with: kubectl describe dv ${name} -n ${ns}`,
      });
    if (Date.now() > deadline) {
      throw new GpuvmError(
        `DataVolume ${ns}/${name} is ${phase || "without a phase"} after ${Math.round(timeoutMs / 1000)} s, not ${wanted.join(" or ")} ` +
          "(a storage class that waits for a consumer, or no capacity?)",
        { hint: `see why with: kubectl describe pvc ${name} -n ${ns}` },
      );
    }
    await sleep(pause);
  }
}

async function requestToken(api: KubeClient, ns: string, name: string): Promise<string> {
  const answer = await api.request<{ status?: { token?: string } }>(
    "POST",
    `/apis/upload.cdi.kubevirt.io/v1beta1/namespaces/${ns}/uploadtokenrequests`,
    {
      body: {
        apiVersion: "upload.cdi.kubevirt.io/v1beta1",
        kind: "UploadTokenRequest",
        metadata: { name, namespace: ns },
        spec: { pvcName: name },
      },
    },
  );
  const token = answer.status?.token;
  if (!token) throw new GpuvmError(`CDI returned no upload token for ${ns}/${name}`);
  return token;
}

/** What to do with a volume of that name that already exists. */
async function judgeExisting(
  dv: V1beta1DataVolume,
  file: string,
  size: number,
  ns: string,
  reporter: UploadReporter,
) {
  const name = dv.metadata?.name ?? "";
  const annotations = dv.metadata?.annotations ?? {};
  const recorded = annotations[SHA256_ANNOTATION];
  if (recorded) {
    const recordedSize = Number(annotations[SIZE_ANNOTATION]);
    let same = false;
    if (recordedSize === size) {
      reporter.info(`checking ${basename(file)} against ${ns}/${name}…`);
      same = (await fileSha256(file)) === recorded;
    }
    if (same) return { reuse: true as const, sha256: recorded };
    throw new GpuvmError(
      `volume ${ns}/${name} already holds another image (${annotations[FILE_ANNOTATION] ?? "unknown file"}, sha256 ${recorded.slice(0, 12)}…)`,
      { hint: "choose another --name (gpuvm never deletes a volume)" },
    );
  }
  if (!dv.spec?.source || !("upload" in dv.spec.source)) {
    throw new GpuvmError(`volume ${ns}/${name} exists and is not an upload volume`, {
      hint: "choose another --name",
    });
  }
  if (dv.status?.phase === "Succeeded") {
    throw new GpuvmError(
      `volume ${ns}/${name} finished an upload that gpuvm did not record (interrupted just after it?); its content is unknown`,
      { hint: `delete it yourself (kubectl delete dv ${name} -n ${ns}) or choose another --name` },
    );
  }
  // CDI's upload server cannot continue a partial stream: the whole file is sent again into this volume.
  reporter.info(
    `continuing the unfinished upload into ${ns}/${name}: CDI takes no partial uploads, so the whole file is sent again`,
  );
  return { reuse: false as const };
}

export async function uploadIso(req: UploadRequest): Promise<UploadResult> {
  const { api, namespace: ns, reporter } = req;
  // Before anything else: never create a volume or send a byte for a file that is not an ISO.
  const { size, format } = await checkImage(req.file);
  const name = req.name ?? volumeNameFor(basename(req.file));
  // Held from the first look at the volume to the recorded checksum, so no other run writes in between.
  const lock = await lockUpload(api, ns, name, { report: reporter.info });
  try {
    return await uploadLocked(req, name, size, format, lock);
  } finally {
    await lock.release();
  }
}

async function uploadLocked(
  req: UploadRequest,
  name: string,
  size: number,
  format: string,
  lock: UploadLock,
): Promise<UploadResult> {
  const { api, namespace: ns, reporter } = req;
  const phaseTimeoutMs = req.phaseTimeoutMs ?? 300_000;

  const existing = await api.find<V1beta1DataVolume>(dvPath(ns, name));
  if (existing) {
    const verdict = await judgeExisting(existing, req.file, size, ns, reporter);
    if (verdict.reuse) {
      reporter.info(
        `${ns}/${name} already holds this image (sha256 ${verdict.sha256.slice(0, 12)}…); reusing it, nothing uploaded`,
      );
      return { name, sha256: verdict.sha256, size, reused: true };
    }
  } else {
    const dv = uploadDataVolume({
      name,
      namespace: ns,
      size: req.size ?? volumeSizeFor(size),
      fileName: basename(req.file),
      ...(req.storageClass ? { storageClass: req.storageClass } : {}),
    });
    await api.request("POST", dvPath(ns), { body: dv, query: { fieldValidation: "Strict" } });
    reporter.info(
      `created DataVolume ${ns}/${name} (${format}, ${dv.spec.storage?.resources?.requests?.storage})`,
    );
  }

  let endpoint: OpenEndpoint | undefined;
  try {
    const attempts = req.attempts ?? 5;
    // The checksum is of the bytes sent; the stamps prove the file still holds them afterwards.
    const stampBefore = await fileStamp(req.file);
    let sha256 = "";
    let transferSeconds = 0;
    let usedAsync = false;
    for (let attempt = 1; ; attempt++) {
      await waitForPhase(api, ns, name, ["UploadReady"], phaseTimeoutMs);
      endpoint ??= await openUploadProxy(api, {
        ...(req.cdiNamespace ? { cdiNamespace: req.cdiNamespace } : {}),
        log: reporter.info,
      });
      // A fresh token each attempt: CDI's tokens are short-lived.
      const token = await requestToken(api, ns, name);
      usedAsync = await supportsAsync(endpoint, token);
      reporter.start(size);
      const started = performance.now();
      try {
        sha256 = await sendOnce({
          path: req.file,
          size,
          endpoint,
          token,
          async: usedAsync,
          onProgress: reporter.progress,
        });
        transferSeconds = (performance.now() - started) / 1000;
        reporter.stop();
        break;
      } catch (error) {
        reporter.stop();
        if (!(error instanceof TransientUploadError) || attempt >= attempts) throw error;
        const delay = req.retryDelayMs?.(attempt) ?? Math.min(1000 * 2 ** (attempt - 1), 15_000);
        reporter.info(
          `upload interrupted (${error.message}); retrying from the start in ${Math.round(delay / 100) / 10} s (attempt ${attempt + 1} of ${attempts})`,
        );
        await sleep(delay);
      }
    }
    if ((await fileStamp(req.file)) !== stampBefore) {
      throw new GpuvmError(`${req.file} changed while it was uploaded`, { hint: "run the upload again" });
    }
    await waitForPhase(api, ns, name, ["Succeeded"], usedAsync ? 24 * 3600_000 : phaseTimeoutMs);
    if (lock.lost) {
      // Another run judged this one abandoned and may be writing: record nothing.
      throw new GpuvmError(
        `the upload lock on ${ns}/${name} was taken over while this run was silent for ${UPLOAD_LOCK_SECONDS} s; nothing was recorded`,
        { hint: "run the upload again (it reuses the volume if it holds this image)" },
      );
    }
    await api.request("PATCH", dvPath(ns, name), {
      contentType: "application/merge-patch+json",
      query: { fieldManager: FIELD_MANAGERS.iso },
      body: { metadata: { annotations: { [SHA256_ANNOTATION]: sha256, [SIZE_ANNOTATION]: String(size) } } },
    });
    reporter.info(`uploaded ${basename(req.file)} to ${ns}/${name} (${size} bytes, sha256 ${sha256})`);
    return { name, sha256, size, reused: false, transferSeconds };
  } catch (error) {
    if (error instanceof ClusterError && error.code === 403) {
      throw new GpuvmError(
        `${error.message} (uploading needs create on uploadtokenrequests.upload.cdi.kubevirt.io)`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    await endpoint?.close();
  }
}
