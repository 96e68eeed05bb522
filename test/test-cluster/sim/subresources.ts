/**
 * What KubeVirt's start/stop/restart subresources (virt-api, and so `virtctl`) do to a VirtualMachine:
 * a new spec.runStrategy, or a state-change request in its status; a refusal in virtctl's words.
 * The refusals are KubeVirt's (pkg/virt-api/rest/subresource.go, StartVMRequestHandler and its
 * stop/restart siblings: a 409 Conflict "<strategy> does not support manual start requests").
 */
import { isCode, KV, type Obj, type SimContext, SimError } from "./context.js";
import { runStrategy } from "./vm.js";

export type Verb = "start" | "stop" | "restart";
type Request = { action: string; uid?: string };
/** A change to write: the run strategy to set, or the requests to append. */
type Change = { strategy: string } | { requests: Request[] };

export async function changeRequest(ctx: SimContext, ns: string, name: string, verb: Verb): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const vm = await ctx.get(KV, "virtualmachines", ns, name);
    if (!vm) throw new SimError(`virtualmachines.kubevirt.io "${name}" not found`);
    const vmi = await ctx.get(KV, "virtualmachineinstances", ns, name);
    try {
      return await write(ctx, vm, CHANGES[verb](runStrategy(vm), vmi));
    } catch (e) {
      if (!isCode(e, 409) || attempt > 20) throw e;
    }
  }
}

const CHANGES: Record<Verb, (strategy: string, vmi: Obj | undefined) => Change> = {
  start(strategy, vmi) {
    if (vmi?.status?.phase === "Running") throw new SimError("VM is already running");
    if (strategy === "Halted") return { strategy: "Always" };
    if (strategy === "Manual") return { requests: [{ action: "Start" }] };
    throw new SimError(`${strategy} does not support manual start requests`);
  },
  stop(strategy, vmi) {
    if (!vmi && strategy !== "Always" && strategy !== "RerunOnFailure")
      throw new SimError("VM is not running");
    if (strategy === "Manual") return { requests: [{ action: "Stop", uid: vmi?.metadata.uid }] };
    return { strategy: "Halted" };
  },
  restart(strategy, vmi) {
    if (strategy === "Halted") throw new SimError(`${strategy} does not support manual restart requests`);
    if (!vmi) throw new SimError("VM is not running");
    return { requests: [{ action: "Stop", uid: vmi.metadata.uid }, { action: "Start" }] };
  },
};

async function write(ctx: SimContext, vm: Obj, change: Change): Promise<void> {
  if ("strategy" in change) {
    const { running: _, ...spec } = vm.spec ?? {};
    await ctx.replace(KV, "virtualmachines", { ...vm, spec: { ...spec, runStrategy: change.strategy } });
    return;
  }
  const requests = [...(vm.status?.stateChangeRequests ?? []), ...change.requests];
  await ctx.replace(
    KV,
    "virtualmachines",
    { ...vm, status: { ...(vm.status ?? {}), stateChangeRequests: requests } },
    true,
  );
}
