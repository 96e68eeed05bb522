// gpuvm iso list: the ISO volumes of a namespace (DataVolumes labelled gpuvm.io/iso=true), what they hold
// and which VirtualMachines mount them.
import type { V1beta1DataVolume } from "@kubevirt-ui-ext/kubevirt-api/containerized-data-importer";
import type { V1VirtualMachine } from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import type { KubeClient } from "../client.js";
import { vmPath } from "../vm-lookup.js";
import { FILE_ANNOTATION, ISO_LABEL, SHA256_ANNOTATION, SIZE_ANNOTATION } from "./datavolume.js";

export interface IsoRow {
  name: string;
  phase?: string;
  size?: number;
  sha256?: string;
  file?: string;
  usedBy: string[];
}

function claimsOf(vm: V1VirtualMachine): string[] {
  return (vm.spec.template?.spec?.volumes ?? []).flatMap((volume) => [
    ...(volume.dataVolume ? [volume.dataVolume.name] : []),
    ...(volume.persistentVolumeClaim ? [volume.persistentVolumeClaim.claimName] : []),
  ]);
}

export async function listIsos(api: KubeClient, ns: string): Promise<IsoRow[]> {
  // Both lists are asked for at once; when both fail, the volumes' failure is the one reported, so a
  // user without permissions always reads the same message, whichever answer came first.
  const [volumesRead, vmsRead] = await Promise.allSettled([
    api.request<{ items: V1beta1DataVolume[] }>(
      "GET",
      `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes`,
      {
        query: { labelSelector: `${ISO_LABEL}=true` },
      },
    ),
    api.request<{ items: V1VirtualMachine[] }>("GET", vmPath(ns)),
  ]);
  if (volumesRead.status === "rejected") throw volumesRead.reason;
  if (vmsRead.status === "rejected") throw vmsRead.reason;
  const [volumes, vms] = [volumesRead.value, vmsRead.value];
  return volumes.items
    .map((dv) => {
      const name = dv.metadata?.name ?? "";
      const annotations = dv.metadata?.annotations ?? {};
      const size = annotations[SIZE_ANNOTATION];
      return {
        name,
        ...(dv.status?.phase ? { phase: dv.status.phase } : {}),
        ...(size ? { size: Number(size) } : {}),
        ...(annotations[SHA256_ANNOTATION] ? { sha256: annotations[SHA256_ANNOTATION] } : {}),
        ...(annotations[FILE_ANNOTATION] ? { file: annotations[FILE_ANNOTATION] } : {}),
        usedBy: vms.items.filter((vm) => claimsOf(vm).includes(name)).map((vm) => vm.metadata?.name ?? ""),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
