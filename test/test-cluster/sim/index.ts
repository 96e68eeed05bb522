/**
 * KubeVirt / CDI behaviour simulator for gpuvm's integration tests (test code,
 * never shipped; see README.md next to this file). It watches the real test API
 * server and plays the controllers' part: VirtualMachine → VirtualMachineInstance
 * → phases and status, DataVolume → PersistentVolumeClaim + phases.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { CDI, KV, SimContext, type SimDelays } from "./context.js";
import { completeUpload, reconcileDv } from "./datavolume.js";
import { changeRequest } from "./subresources.js";
import { reconcileVm } from "./vm.js";
import { reconcileVmi } from "./vmi.js";
import { kickAllVmis, watch } from "./watch.js";

export type { SimDelays } from "./context.js";
export { notPermittedMessage, RENDER_ERROR_PREFIX } from "./vmi.js";

export type SimOptions = {
  /** Only act on objects in this namespace (default: all namespaces, as `cluster:up` runs it). */
  namespace?: string;
  /** Milliseconds for each VMI transition (default 50 each). */
  delays?: Partial<SimDelays>;
  log?: (msg: string) => void;
};

export type Simulator = {
  /** Ask to start a VM the way `virtctl start` (the start subresource) does. */
  start(namespace: string, name: string): Promise<void>;
  /** Ask to stop a VM the way `virtctl stop` does. */
  stop(namespace: string, name: string): Promise<void>;
  /** Ask to restart a VM the way `virtctl restart` does. */
  restart(namespace: string, name: string): Promise<void>;
  /** Finish an upload to a DataVolume in phase UploadReady (as the upload proxy would). */
  completeUpload(namespace: string, name: string): Promise<void>;
  /** Errors the simulator met (API failures other than expected conflicts). */
  readonly errors: Error[];
  /** Stops every watch and timer. */
  close(): Promise<void>;
};

export async function startSimulator(kc: KubeConfig, opts: SimOptions = {}): Promise<Simulator> {
  const reconcilers = { vm: reconcileVm, vmi: reconcileVmi, dv: reconcileDv };
  const ctx = new SimContext(kc, opts.namespace, opts.delays, reconcilers, opts.log);
  await watchAll(ctx);
  return {
    errors: ctx.errors,
    start: (ns, name) => changeRequest(ctx, ns, name, "start"),
    stop: (ns, name) => changeRequest(ctx, ns, name, "stop"),
    restart: (ns, name) => changeRequest(ctx, ns, name, "restart"),
    completeUpload: (ns, name) => completeUpload(ctx, ns, name),
    close: async () => ctx.close(),
  };
}

/** The watches that drive the controllers; each event reconciles the object it names. */
async function watchAll(ctx: SimContext): Promise<void> {
  const ns = ctx.namespace;
  const path = (api: { group: string; version: string }, plural: string) =>
    ns
      ? `/apis/${api.group}/${api.version}/namespaces/${ns}/${plural}`
      : `/apis/${api.group}/${api.version}/${plural}`;
  await Promise.all([
    watch(ctx, path(KV, "virtualmachines"), (o) => ctx.kick("vm", o.metadata)),
    watch(ctx, path(KV, "virtualmachineinstances"), (o, type) => {
      ctx.kick("vmi", o.metadata);
      // The owning VM's status follows its VMI.
      const owner = o.metadata.ownerReferences?.find((r) => r.kind === "VirtualMachine");
      if (owner || type === "DELETED")
        ctx.kick("vm", { namespace: o.metadata.namespace, name: owner?.name ?? o.metadata.name });
    }),
    // A change of the KubeVirt CR may permit devices of Pending VMIs.
    watch(ctx, `/apis/${KV.group}/${KV.version}/kubevirts`, () => void kickAllVmis(ctx)),
    watch(ctx, path(CDI, "datavolumes"), (o) => ctx.kick("dv", o.metadata)),
  ]);
}
