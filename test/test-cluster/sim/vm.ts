/**
 * virt-controller's VM controller: a VirtualMachine's run strategy and state-change requests decide
 * whether its VirtualMachineInstance exists, and the VM's status reports it.
 */

import { controllerRef, KV, type Obj, ownedBy, type SimContext, sameJson } from "./context.js";
import { createDataVolumes } from "./datavolume.js";
import { syncHotplugVolumes } from "./hotplug.js";

type Request = { action: string; uid?: string };
const VMS = "virtualmachines";
const VMIS = "virtualmachineinstances";

/** spec.runStrategy, or what the deprecated spec.running means. */
export const runStrategy = (vm: Obj): string =>
  vm.spec?.runStrategy ?? (vm.spec?.running ? "Always" : "Halted");

export async function reconcileVm(ctx: SimContext, ns: string, name: string): Promise<void> {
  const vm = await ctx.get(KV, VMS, ns, name);
  const vmi = await ctx.get(KV, VMIS, ns, name);
  if (!vm || vm.metadata.deletionTimestamp) {
    // No garbage collector runs in the test cluster: remove what KubeVirt's would.
    if (ownedBy(vmi, "VirtualMachine")) await ctx.remove(KV, VMIS, ns, name);
    return;
  }
  await createDataVolumes(ctx, vm);
  const requests: Request[] = vm.status?.stateChangeRequests ?? [];
  const { remaining, stopping } = await act(ctx, vm, vmi, requests);
  let current = await ctx.get(KV, VMIS, ns, name);
  if (current && !stopping) current = await syncHotplugVolumes(ctx, vm, current);
  await writeVmStatus(ctx, vm, vmStatus(vm, current, stopping), requests, remaining);
}

/** Acts on the first state-change request, or else on the run strategy. */
async function act(
  ctx: SimContext,
  vm: Obj,
  vmi: Obj | undefined,
  requests: Request[],
): Promise<{ remaining: Request[]; stopping: boolean }> {
  const first = requests[0];
  if (first?.action === "Stop") {
    // A Stop for this VMI stays queued until the VMI is gone; one for an older VMI is done.
    if (!vmi || (first.uid && first.uid !== vmi.metadata.uid))
      return { remaining: requests.slice(1), stopping: false };
    await stopAfterDelay(ctx, vm, vmi);
    return { remaining: requests, stopping: true };
  }
  if (first?.action === "Start") {
    if (!vmi) await createVmi(ctx, vm);
    return { remaining: requests.slice(1), stopping: false };
  }
  return { remaining: requests, stopping: await followStrategy(ctx, vm, vmi) };
}

/** Creates or removes the VMI as the run strategy wants; true while a live VMI is being stopped. */
async function followStrategy(ctx: SimContext, vm: Obj, vmi: Obj | undefined): Promise<boolean> {
  const phase: string | undefined = vmi?.status?.phase;
  const final = phase === "Succeeded" || phase === "Failed";
  const strategy = runStrategy(vm);
  const wantRunning = wantsRunning(strategy, vm, vmi, phase, final);
  if (wantRunning && !vmi) await createVmi(ctx, vm);
  // A finished VMI is removed so the next reconcile starts a fresh one (Manual keeps it).
  else if (wantRunning && final && strategy !== "Manual")
    await ctx.remove(KV, VMIS, vm.metadata.namespace ?? "", vm.metadata.name);
  else if (!wantRunning && vmi) {
    if (final) await ctx.remove(KV, VMIS, vm.metadata.namespace ?? "", vm.metadata.name);
    else await stopAfterDelay(ctx, vm, vmi);
    return !final;
  }
  return false;
}

function wantsRunning(
  strategy: string,
  vm: Obj,
  vmi: Obj | undefined,
  phase: string | undefined,
  final: boolean,
) {
  const live = !!vmi && !vmi.metadata.deletionTimestamp && !final;
  return (
    strategy === "Always" ||
    (strategy === "RerunOnFailure" && phase !== "Succeeded") ||
    (strategy === "Manual" && live) ||
    (strategy === "Once" && !vm.status?.created && !vmi)
  );
}

/** The VMI goes once it has been stopping for the `stopping` delay, so a test can see `Stopping`. */
async function stopAfterDelay(ctx: SimContext, vm: Obj, vmi: Obj): Promise<void> {
  if (ctx.due(`stop/${vmi.metadata.uid}`, ctx.delays.stopping, () => ctx.kick("vm", vm.metadata)))
    await ctx.remove(KV, VMIS, vm.metadata.namespace ?? "", vm.metadata.name);
}

function printableStatus(vmi: Obj | undefined, stopping: boolean): string {
  if (!vmi) return "Stopped";
  if (stopping) return "Stopping";
  const phase: string | undefined = vmi.status?.phase;
  return phase === "Running" || phase === "Succeeded" || phase === "Failed" ? phase : "Starting";
}

function vmStatus(vm: Obj, vmi: Obj | undefined, stopping: boolean): Record<string, unknown> {
  const running = vmi?.status?.phase === "Running";
  const { stateChangeRequests: _, ...rest } = vm.status ?? {};
  return {
    ...rest,
    printableStatus: printableStatus(vmi, stopping),
    ready: running,
    created: !!vmi,
    runStrategy: runStrategy(vm),
    conditions: [
      {
        type: "Ready",
        status: running ? "True" : "False",
        ...(running ? {} : { reason: vmi ? "NotReady" : "VMINotExists" }),
        lastProbeTime: null,
        lastTransitionTime: null,
      },
    ],
  };
}

/** status.stateChangeRequests is left out when empty, as KubeVirt's omitempty does. */
const withRequests = (status: Record<string, unknown>, requests: Request[]) =>
  requests.length > 0 ? { ...status, stateChangeRequests: requests } : status;

async function writeVmStatus(
  ctx: SimContext,
  vm: Obj,
  status: Record<string, unknown>,
  read: Request[],
  remaining: Request[],
): Promise<void> {
  if (sameJson(withRequests(status, remaining), vm.status ?? {})) return;
  const fresh = await ctx.get(KV, VMS, vm.metadata.namespace ?? "", vm.metadata.name);
  if (!fresh) return;
  // Keep requests added since we read the VM (a start/stop racing this write).
  const added: Request[] = (fresh.status?.stateChangeRequests ?? []).slice(read.length);
  await ctx.replace(KV, VMS, { ...fresh, status: withRequests(status, [...remaining, ...added]) }, true);
  ctx.log(`vm ${vm.metadata.namespace}/${vm.metadata.name}: ${status.printableStatus}`);
}

async function createVmi(ctx: SimContext, vm: Obj): Promise<void> {
  const template = vm.spec?.template ?? {};
  const ns = vm.metadata.namespace ?? "";
  await ctx.create(KV, VMIS, ns, {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: {
      name: vm.metadata.name,
      namespace: ns,
      labels: { ...(template.metadata?.labels ?? {}), "kubevirt.io/vm": vm.metadata.name },
      annotations: { ...(template.metadata?.annotations ?? {}) },
      ownerReferences: [controllerRef("kubevirt.io/v1", "VirtualMachine", vm)],
    },
    spec: template.spec ?? {},
    status: { phase: "Pending" },
  });
  ctx.log(`vmi ${ns}/${vm.metadata.name}: created`);
}
