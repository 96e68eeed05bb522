/**
 * virt-controller and virt-handler for a VirtualMachineInstance: its phases from Pending to Running,
 * and the refusal of host devices the KubeVirt CR does not permit.
 */
import { KV, type Obj, type SimContext } from "./context.js";

/** KubeVirt's wording (virt-controller renders the launcher pod and fails with these). */
export const RENDER_ERROR_PREFIX = "failed to render launch manifest: ";
export const notPermittedMessage = (kind: "GPU" | "HostDevice", deviceName: string): string =>
  `${kind} ${deviceName} is not permitted in permittedHostDevices configuration`;

const NODE_NAME = "sim-node-1";
type Status = Record<string, any>;
type Condition = { type: string; message?: string };

/** What one phase step sees: the VMI, its status, and how to record a transition. */
type Step = {
  ctx: SimContext;
  vmi: Obj;
  status: Status;
  now: string;
  to(phase: string): Status;
  due(ms: number): boolean;
};

export async function reconcileVmi(ctx: SimContext, ns: string, name: string): Promise<void> {
  const vmi = await ctx.get(KV, "virtualmachineinstances", ns, name);
  if (!vmi || vmi.metadata.deletionTimestamp) return;
  const step = stepOf(ctx, vmi);
  const next = await nextStatus(step);
  if (!next) return;
  await ctx.replace(KV, "virtualmachineinstances", { ...vmi, metadata: labelled(vmi, next), status: next });
  ctx.log(`vmi ${ns}/${name}: ${next.phase}`);
}

function stepOf(ctx: SimContext, vmi: Obj): Step {
  const status: Status = vmi.status ?? {};
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const key = `${vmi.metadata.uid ?? ""}/${status.phase}`;
  return {
    ctx,
    vmi,
    status,
    now,
    to: (phase) => ({
      ...status,
      phase,
      phaseTransitionTimestamps: [
        ...(status.phaseTransitionTimestamps ?? []),
        { phase, phaseTransitionTimestamp: now },
      ],
    }),
    due: (ms) => ctx.due(key, ms, () => ctx.kick("vmi", vmi.metadata)),
  };
}

async function nextStatus(s: Step): Promise<Status | undefined> {
  const { delays } = s.ctx;
  switch (s.status.phase ?? "") {
    case "":
      return s.to("Pending");
    case "Pending":
      return pending(s);
    case "Scheduling":
      return s.due(delays.scheduled) ? { ...s.to("Scheduled"), nodeName: NODE_NAME } : undefined;
    case "Scheduled":
      return s.due(delays.running) ? running(s) : undefined;
  }
  return undefined;
}

/** Pending until its devices are permitted, then Scheduling once the delay has passed. */
async function pending(s: Step): Promise<Status | undefined> {
  const conditions: Condition[] = s.status.conditions ?? [];
  const others = conditions.filter((c) => c.type !== "Synchronized");
  const errors = await permissionErrors(s.ctx, s.vmi);
  if (errors.length === 0)
    return s.due(s.ctx.delays.scheduling) ? { ...s.to("Scheduling"), conditions: others } : undefined;
  // The delay counts from when the devices become permitted.
  s.ctx.forget(`${s.vmi.metadata.uid ?? ""}/Pending`);
  const message = `${RENDER_ERROR_PREFIX}${errors.join(" ")}`;
  if (conditions.find((c) => c.type === "Synchronized")?.message === message) return undefined;
  const failed = { type: "Synchronized", status: "False", reason: "FailedCreate", message };
  return { ...s.status, conditions: [...others, failed] };
}

function running(s: Step): Status {
  const conditions: Condition[] = s.status.conditions ?? [];
  return {
    ...s.to("Running"),
    interfaces: interfaces(s.vmi),
    conditions: [
      ...conditions.filter((c) => c.type !== "Ready"),
      { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: s.now },
    ],
  };
}

/** KubeVirt labels the VMI with its node once scheduled. */
function labelled(vmi: Obj, next: Status): Obj["metadata"] {
  const nodeName: string | undefined = next.nodeName;
  if (!nodeName || (next.phase !== "Scheduled" && next.phase !== "Running")) return vmi.metadata;
  return { ...vmi.metadata, labels: { ...(vmi.metadata.labels ?? {}), "kubevirt.io/nodeName": nodeName } };
}

/** KubeVirt's check of gpus/hostDevices against permittedHostDevices (nil means no check). */
async function permissionErrors(ctx: SimContext, vmi: Obj): Promise<string[]> {
  const devices = vmi.spec?.domain?.devices ?? {};
  const gpus: { deviceName?: string }[] = devices.gpus ?? [];
  const hostDevices: { deviceName?: string }[] = devices.hostDevices ?? [];
  if (gpus.length === 0 && hostDevices.length === 0) return [];
  const permitted = (await ctx.kubevirtConfiguration())?.permittedHostDevices;
  if (!permitted) return [];
  const lists = [permitted.pciHostDevices, permitted.mediatedDevices, permitted.usb];
  const names = new Set(
    lists.flatMap((l) => ((l ?? []) as { resourceName?: string }[]).map((d) => d.resourceName)),
  );
  const refused = (kind: "GPU" | "HostDevice", list: { deviceName?: string }[]) =>
    list
      .filter((d) => !names.has(d.deviceName ?? ""))
      .map((d) => notPermittedMessage(kind, d.deviceName ?? ""));
  return [...refused("GPU", gpus), ...refused("HostDevice", hostDevices)];
}

let ipCounter = 0;

/** status.interfaces of a running VMI: a MAC from the spec or made up, and an IP per interface. */
function interfaces(vmi: Obj): unknown[] {
  const ifaces: { name: string; macAddress?: string }[] = vmi.spec?.domain?.devices?.interfaces ?? [];
  const n = ++ipCounter;
  return ifaces.map((iface, index) => {
    const ip = `10.244.${n % 250}.${index + 10}`;
    return {
      name: iface.name,
      mac: iface.macAddress ?? `02:00:00:${hex(n >> 8)}:${hex(n)}:${hex(index)}`,
      interfaceName: `eth${index}`,
      infoSource: "domain, guest-agent",
      ipAddress: ip,
      ipAddresses: [ip],
    };
  });
}

function hex(n: number): string {
  return (n & 0xff).toString(16).padStart(2, "0");
}
