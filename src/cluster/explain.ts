// Why a VM does not come up, in the cluster's own words (the VMI's and the VM's conditions), followed
// by what to do about it.
import type { Condition, ModeState } from "./vm-state.js";

export interface Explanation {
  /** "VirtualMachineInstance gaming-live: PodScheduled=False (Unschedulable): 0/1 nodes are available: ..." */
  said: string[];
  fix?: string;
}

/** Conditions that report a problem: a failure that is True, or a progress condition that is False. */
function troubled(conditions: Condition[] | undefined): Condition[] {
  return (conditions ?? []).filter((condition) => {
    const failure = /Failure|Failed|Error|Paused/i.test(condition.type);
    if (failure) return condition.status === "True";
    if (
      condition.type === "Ready" ||
      condition.type === "LiveMigratable" ||
      condition.type === "AgentConnected"
    ) {
      return condition.status === "False" && Boolean(condition.message);
    }
    return condition.status === "False" && Boolean(condition.reason || condition.message);
  });
}

function line(kind: string, name: string, condition: Condition): string {
  const reason = condition.reason ? ` (${condition.reason})` : "";
  const message = condition.message ? `: ${condition.message}` : "";
  return `${kind} ${name}: ${condition.type}=${condition.status}${reason}${message}`;
}

export function suggestFix(text: string): string | undefined {
  if (/not permitted|permittedHostDevices/i.test(text)) {
    return "the device is not in the KubeVirt CR's permittedHostDevices: run `gpuvm apply -f LAB` (it adds the lab's GPU functions) and check with `gpuvm doctor --cluster -f LAB`";
  }
  const insufficient = /Insufficient ([\w./-]+)/.exec(text);
  if (insufficient) {
    return `no node has a free ${insufficient[1]}: check that the GPU host advertises it (device plugin, vfio-pci binding) and that no other VM holds it; see \`gpuvm doctor --cluster -f LAB\` and \`gpuvm status\``;
  }
  if (/didn't match Pod's node affinity|node affinity|node\(s\) didn't match/i.test(text)) {
    return "no node matches the mode's node affinity: is the mode's host a node of this cluster, and Ready?";
  }
  if (/persistentvolumeclaim|unbound|WaitForFirstConsumer/i.test(text)) {
    return "a disk is not bound yet: check the PVC/DataVolume (`kubectl get pvc,dv -n NAMESPACE`) and its storage class's binding mode";
  }
  if (/FeatureGate|feature gate/i.test(text)) {
    return "a KubeVirt feature gate is off: run `gpuvm apply -f LAB` to add the lab's feature gates";
  }
  if (/Unschedulable|unschedulable/i.test(text)) {
    return "the scheduler found no node for it: read the message above, then free resources or change the mode's size or host";
  }
  return undefined;
}

export function explain(state: ModeState): Explanation {
  const said: string[] = [];
  for (const condition of troubled(state.vmi?.status?.conditions)) {
    said.push(line("VirtualMachineInstance", state.objectName, condition));
  }
  if (state.vmi?.status?.reason)
    said.push(`VirtualMachineInstance ${state.objectName}: ${state.vmi.status.reason}`);
  for (const condition of troubled(state.vm?.status?.conditions)) {
    said.push(line("VirtualMachine", state.objectName, condition));
  }
  const printable = state.vm?.status?.printableStatus;
  if (printable && /Error|Unschedulable|Failed|CrashLoop/.test(printable)) {
    said.push(`VirtualMachine ${state.objectName}: status ${printable}`);
  }
  const fix = suggestFix(said.join("\n"));
  return { said, ...(fix ? { fix } : {}) };
}
