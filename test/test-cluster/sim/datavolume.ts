/**
 * CDI's DataVolume controller and the storage provisioner: a DataVolume gets a PersistentVolumeClaim
 * of its name, which binds, and walks its import or upload phases to Succeeded.
 */
import type { V1PersistentVolumeClaim } from "@kubernetes/client-node";
import { CDI, controllerRef, type Obj, type SimContext, SimError, STEP_MS, unless } from "./context.js";

type Status = Record<string, unknown>;
const DVS = "datavolumes";

/** The DataVolumes of a VM's spec.dataVolumeTemplates, owned by the VM (virt-controller's part). */
export async function createDataVolumes(ctx: SimContext, vm: Obj): Promise<void> {
  const ns = vm.metadata.namespace ?? "";
  for (const t of (vm.spec?.dataVolumeTemplates ?? []) as Obj[]) {
    const name = t.metadata?.name;
    if (!name || (await ctx.get(CDI, DVS, ns, name))) continue;
    await ctx.create(CDI, DVS, ns, {
      apiVersion: "cdi.kubevirt.io/v1beta1",
      kind: "DataVolume",
      metadata: {
        ...t.metadata,
        name,
        namespace: ns,
        ownerReferences: [controllerRef("kubevirt.io/v1", "VirtualMachine", vm)],
      },
      spec: t.spec,
    });
  }
}

export async function reconcileDv(ctx: SimContext, ns: string, name: string): Promise<void> {
  const dv = await ctx.get(CDI, DVS, ns, name);
  if (!dv || dv.metadata.deletionTimestamp) return collectPvc(ctx, ns, name, dv);
  const next = await nextStatus(ctx, dv);
  if (!next) return;
  await ctx.replace(CDI, DVS, { ...dv, status: next }, true);
  ctx.log(`dv ${ns}/${name}: ${next.phase}`);
}

/** No garbage collector runs in the test cluster: remove the PVC the DataVolume owned. */
async function collectPvc(ctx: SimContext, ns: string, name: string, dv: Obj | undefined): Promise<void> {
  const pvc = await readPvc(ctx, ns, name);
  const owned = pvc?.metadata?.ownerReferences?.some(
    (r) => r.kind === "DataVolume" && (!dv || r.uid === dv.metadata.uid),
  );
  if (owned) await ctx.core.deleteNamespacedPersistentVolumeClaim({ namespace: ns, name });
}

async function nextStatus(ctx: SimContext, dv: Obj): Promise<Status | undefined> {
  const status: Status = dv.status ?? {};
  const phase = (status.phase as string | undefined) ?? "";
  // Pending and WaitForFirstConsumer share one delay: it counts from the DataVolume's first reconcile.
  const key = `${dv.metadata.uid ?? ""}/${phase === "WaitForFirstConsumer" ? "Pending" : phase}`;
  const due = () => ctx.due(key, STEP_MS, () => ctx.kick("dv", dv.metadata));
  switch (phase) {
    case "":
      await ensurePvc(ctx, dv);
      return {
        ...status,
        phase: "Pending",
        claimName: dv.metadata.name,
        progress: "N/A",
        conditions: dvConditions(false, false),
      };
    case "Pending":
    case "WaitForFirstConsumer":
      return scheduled(ctx, dv, status, due);
    case "UploadScheduled":
      return due() ? { ...status, phase: "UploadReady" } : undefined;
    case "ImportScheduled":
      return due() ? { ...status, phase: "ImportInProgress", progress: "50.00%" } : undefined;
    case "ImportInProgress":
      return due() ? succeeded(status) : undefined;
  }
  return undefined;
}

/** Waits for a first consumer when the StorageClass says so; else binds the PVC and schedules the transfer. */
async function scheduled(
  ctx: SimContext,
  dv: Obj,
  status: Status,
  due: () => boolean,
): Promise<Status | undefined> {
  if (await waitsForFirstConsumer(ctx, dv))
    return status.phase === "WaitForFirstConsumer" ? undefined : { ...status, phase: "WaitForFirstConsumer" };
  if (!due()) return undefined;
  await bindPvc(ctx, dv.metadata.namespace ?? "", dv.metadata.name);
  const phase = dv.spec?.source?.upload ? "UploadScheduled" : "ImportScheduled";
  return { ...status, phase, conditions: dvConditions(true, false) };
}

const succeeded = (status: Status): Status => ({
  ...status,
  phase: "Succeeded",
  progress: "100.0%",
  conditions: dvConditions(true, true),
});

/** Finishes an upload to a DataVolume in phase UploadReady, as the upload proxy would. */
export async function completeUpload(ctx: SimContext, ns: string, name: string): Promise<void> {
  const dv = await ctx.get(CDI, DVS, ns, name);
  if (!dv) throw new SimError(`datavolumes.cdi.kubevirt.io "${name}" not found`);
  if (dv.status?.phase !== "UploadReady")
    throw new SimError(`DataVolume ${name} is ${dv.status?.phase}, not UploadReady`);
  await ctx.replace(CDI, DVS, { ...dv, status: succeeded(dv.status) }, true);
}

function readPvc(ctx: SimContext, ns: string, name: string): Promise<V1PersistentVolumeClaim | undefined> {
  return unless(404, () => ctx.core.readNamespacedPersistentVolumeClaim({ namespace: ns, name }));
}

/** The claim's spec from spec.pvc or spec.storage: ReadWriteOnce and 1Gi when unset. */
function claimSpec(dv: Obj) {
  const pick = (field: string) => dv.spec?.pvc?.[field] ?? dv.spec?.storage?.[field];
  const optional = (field: string) => (pick(field) ? { [field]: pick(field) } : {});
  return {
    accessModes: pick("accessModes") ?? ["ReadWriteOnce"],
    resources: pick("resources") ?? { requests: { storage: "1Gi" } },
    ...optional("storageClassName"),
    ...optional("volumeMode"),
  };
}

async function ensurePvc(ctx: SimContext, dv: Obj): Promise<void> {
  const ns = dv.metadata.namespace ?? "";
  if (await readPvc(ctx, ns, dv.metadata.name)) return;
  const metadata = {
    name: dv.metadata.name,
    namespace: ns,
    labels: { app: "containerized-data-importer", "app.kubernetes.io/component": "storage" },
    ownerReferences: [controllerRef("cdi.kubevirt.io/v1beta1", "DataVolume", dv)],
  };
  await unless(409, () =>
    ctx.core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: { metadata, spec: claimSpec(dv) },
    }),
  );
}

/** The PVC's StorageClass binds WaitForFirstConsumer and nothing consumes it yet. */
async function waitsForFirstConsumer(ctx: SimContext, dv: Obj): Promise<boolean> {
  const pvc = await readPvc(ctx, dv.metadata.namespace ?? "", dv.metadata.name);
  const scName = pvc?.status?.phase === "Bound" ? undefined : pvc?.spec?.storageClassName;
  if (!scName) return false;
  const sc = await unless(404, () => ctx.storage.readStorageClass({ name: scName }));
  return sc?.volumeBindingMode === "WaitForFirstConsumer";
}

/** Plays the provisioner: the PVC reports Bound. */
async function bindPvc(ctx: SimContext, ns: string, name: string): Promise<void> {
  const pvc = await readPvc(ctx, ns, name);
  if (!pvc || pvc.status?.phase === "Bound") return;
  const value = {
    phase: "Bound",
    accessModes: pvc.spec?.accessModes,
    capacity: pvc.spec?.resources?.requests ?? {},
  };
  await ctx.core.patchNamespacedPersistentVolumeClaimStatus({
    namespace: ns,
    name,
    body: [{ op: "add", path: "/status", value }],
  });
}

function dvConditions(bound: boolean, ready: boolean): unknown[] {
  return [
    { type: "Bound", status: bound ? "True" : "False", reason: bound ? "Bound" : "Pending" },
    { type: "Ready", status: ready ? "True" : "False" },
    { type: "Running", status: "False", reason: ready ? "Completed" : "Pending" },
  ];
}
