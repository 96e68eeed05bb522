/**
 * KubeVirt ≥ 1.6 with DeclarativeHotplugVolumes: the VM controller carries the VM's hotpluggable volumes
 * into the running VMI's spec (a CD-ROM medium inserted or ejected); the volumes it booted with stay.
 */
import { KV, type Obj, type SimContext, sameJson } from "./context.js";

type Volume = { dataVolume?: { hotpluggable?: boolean }; persistentVolumeClaim?: { hotpluggable?: boolean } };

const hot = (v: Volume) =>
  v.dataVolume?.hotpluggable === true || v.persistentVolumeClaim?.hotpluggable === true;

export async function syncHotplugVolumes(ctx: SimContext, vm: Obj, vmi: Obj): Promise<Obj> {
  const booted = ((vmi.spec?.volumes ?? []) as Volume[]).filter((v) => !hot(v));
  const wanted = [...booted, ...((vm.spec?.template?.spec?.volumes ?? []) as Volume[]).filter(hot)];
  if (sameJson(wanted, vmi.spec?.volumes ?? [])) return vmi;
  const gates: string[] = (await ctx.kubevirtConfiguration())?.developerConfiguration?.featureGates ?? [];
  if (!gates.includes("DeclarativeHotplugVolumes")) return vmi;
  const updated = await ctx.replace(KV, "virtualmachineinstances", {
    ...vmi,
    spec: { ...vmi.spec, volumes: wanted },
  });
  ctx.log(`vmi ${vmi.metadata.namespace}/${vmi.metadata.name}: hotplug volumes synced`);
  return updated;
}
