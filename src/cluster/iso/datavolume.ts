// The DataVolume an ISO is uploaded into: an upload source, bound at once (CDI's upload pod needs a bound
// claim, seed 000), labelled so `gpuvm iso list` finds it, annotated with what it holds once complete.
import type { V1beta1DataVolume } from "@kubevirt-ui-ext/kubevirt-api/containerized-data-importer";
import { FORCE_BIND_ANNOTATION } from "../../render/volumes.js";

export const ISO_LABEL = "gpuvm.io/iso";
export const SHA256_ANNOTATION = "gpuvm.io/iso-sha256";
export const SIZE_ANNOTATION = "gpuvm.io/iso-size";
export const FILE_ANNOTATION = "gpuvm.io/iso-file";

const MI = 1024 * 1024;

/**
 * Requested size: the image plus room for the filesystem CDI puts it on (its default overhead is 5.5%)
 * and 64 MiB of slack, in whole MiB.
 */
export function volumeSizeFor(imageBytes: number): string {
  const bytes = imageBytes * 1.06 + 64 * MI;
  return `${Math.ceil(bytes / MI)}Mi`;
}

/** A DNS-1123 name from a file name: "Win11_23H2_English_x64.iso" → "win11-23h2-english-x64". */
export function volumeNameFor(fileName: string): string {
  const base = fileName.replace(/\.(iso|img)$/i, "").toLowerCase();
  const name = base
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 63)
    .replace(/-$/, "");
  return name || "iso";
}

export interface UploadVolumeSpec {
  name: string;
  namespace: string;
  size: string;
  storageClass?: string;
  fileName: string;
}

export function uploadDataVolume(spec: UploadVolumeSpec): V1beta1DataVolume {
  return {
    apiVersion: "cdi.kubevirt.io/v1beta1",
    kind: "DataVolume",
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      labels: { [ISO_LABEL]: "true", "app.kubernetes.io/managed-by": "gpuvm" },
      annotations: {
        // Harmless on Immediate classes; required where the class waits for a consumer (virtctl --force-bind).
        [FORCE_BIND_ANNOTATION]: "true",
        [FILE_ANNOTATION]: spec.fileName,
      },
    },
    spec: {
      source: { upload: {} },
      storage: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: spec.size } },
        ...(spec.storageClass ? { storageClassName: spec.storageClass } : {}),
      },
    },
  } as V1beta1DataVolume;
}
