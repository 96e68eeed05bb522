import { VFIO_DRIVER } from "../drivers.js";
import { HostUserError } from "../errors.js";
import { describeFunction, gpuGroupOf } from "../gpus.js";
import { isBridgeRole, normalizePciAddress, pciSlot } from "../pci-address.js";
import type { HostScan, PciFunction } from "../types.js";
import type { HostView } from "./inspect.js";
import { isOnGpuCard, splitGroup } from "./select.js";
import type { BindingRecord, BindingState } from "./state.js";
import { kindOf, kindWithClass, usesOf, vfioHolders } from "./uses.js";

/** One write to a sysfs attribute, relative to the root. */
export interface SysfsWrite {
  path: string;
  value: string;
  /** Why this write, for the printed plan. */
  why: string;
}

export interface PlannedFunction {
  address: string;
  id: string | null;
  /** Driver now. */
  from: string | null;
  /** Driver after the plan ran (null: whichever the kernel picks, or none). */
  to: string | null;
}

export interface VfioPlan {
  action: "bind" | "unbind";
  /** The address the user named. */
  target: string;
  group: number | null;
  functions: PlannedFunction[];
  writes: SysfsWrite[];
  /** Reasons the plan must not run; empty when it may. */
  refusals: string[];
  /** Things to know that do not stop it. */
  warnings: string[];
  /** Changes to the state file once the writes succeed. */
  record: Record<string, BindingRecord>;
  forget: string[];
}

export interface BindOptions {
  /** Give up the host's console on a display function (the boot GPU's framebuffer, fbcon). */
  force?: boolean;
  /** Group members that are not part of the GPU card, each named by the user, that may go too. */
  also?: string[];
  /** Timestamp for the state file (injected by tests). */
  now?: string;
}

export interface UnbindOptions {
  /** With the address named (target or --also): release it even though gpuvm did not bind it. */
  force?: boolean;
  also?: string[];
}

const devPath = (a: string, attr: string) => `sys/bus/pci/devices/${a}/${attr}`;
const driverPath = (driver: string, attr: string) => `sys/bus/pci/drivers/${driver}/${attr}`;

function parseAddress(address: string): string {
  const normalized = normalizePciAddress(address);
  if (!normalized) {
    throw new HostUserError(
      `"${address}" is not a PCI address`,
      "give it as 0000:09:00.0 (or 09:00.0), as lspci -D prints it",
    );
  }
  return normalized;
}

function findFunction(scan: HostScan, address: string): PciFunction {
  const normalized = parseAddress(address);
  const fn = scan.devices.find((d) => d.address === normalized);
  if (!fn) {
    const gpus = scan.devices.filter((d) => d.role === "display").map((d) => d.address);
    throw new HostUserError(
      `no PCI device ${normalized} under ${scan.root}`,
      gpus.length ? `display devices here: ${gpus.join(", ")}` : "this host shows no display device",
    );
  }
  return fn;
}

/** Firmware framebuffer or console on this device: binding it takes the host's screen and may crash the console. */
function screenOn(fn: PciFunction, scan: HostScan): string | null {
  if (!fn.bootVga) return null;
  const fb = scan.framebuffer;
  const holderIsThis = fb.holder === null || fb.holder === fn.address;
  const parts: string[] = [];
  if (holderIsThis && fb.firmwareDrivers.length && !(scan.cmdline?.framebufferOff.length ?? 0)) {
    parts.push(`framebuffer ${fb.firmwareDrivers.join(", ")}`);
  }
  if (fb.boundConsoles.length) parts.push(`console ${fb.boundConsoles.join(", ")}`);
  return parts.length ? parts.join(" and ") : null;
}

function refusedPlan(action: "bind" | "unbind", fn: PciFunction, refusal: string): VfioPlan {
  return {
    action,
    target: fn.address,
    group: fn.iommuGroup,
    functions: [],
    writes: [],
    refusals: [refusal],
    warnings: [],
    record: {},
    forget: [],
  };
}

/**
 * Plans the runtime move of a GPU card to vfio-pci through driver_override: the card's own
 * functions, plus any other member of its IOMMU group the user named with `also`. Pure: it
 * reads only the scan and what the host uses, and refuses what would take something from the
 * host (a mounted disk, an interface that is up, the console, a device a VM holds).
 */
export function planBind(host: HostView, address: string, options: BindOptions = {}): VfioPlan {
  const { scan, use } = host;
  const fn = findFunction(scan, address);
  const also = [...new Set((options.also ?? []).map(parseAddress))];
  if (!isOnGpuCard(fn, scan)) {
    return refusedPlan(
      "bind",
      fn,
      `${fn.address} (${kindWithClass(fn)}) is not a GPU: gpuvm host bind takes a display device (class 0x03) or another function of its card; name the GPU's address (gpuvm host scan lists them)`,
    );
  }
  const g = gpuGroupOf(fn, scan);
  const refusals: string[] = [];
  const warnings: string[] = [];
  if (!g.group)
    refusals.push(`${fn.address} has no IOMMU group: turn the IOMMU on first (gpuvm host doctor)`);

  const { card, others } = splitGroup(fn, g.functions, scan);
  const named = others.filter((f) => also.includes(f.address));
  const unnamed = others.filter((f) => !also.includes(f.address));
  if (unnamed.length) {
    refusals.push(
      `IOMMU group ${g.group?.id} also holds ${unnamed.map(describeFunction).join(", ")}, not part of the GPU card: vfio-pci takes a group whole, so they would be taken from the host too. Name each one that may go with --also ADDRESS (gpuvm host doctor explains the other options)`,
    );
  }
  const groupAddresses = new Set(g.group?.members ?? g.functions.map((f) => f.address));
  for (const a of also) {
    if (g.functions.some((f) => f.address === a)) continue;
    const bridge = scan.devices.find((d) => d.address === a && isBridgeRole(d.role));
    if (bridge && groupAddresses.has(a)) {
      refusals.push(
        `--also ${a}: it is a bridge (${kindOf(bridge)}), which stays with the host (vfio-pci does not need the group's bridges)`,
      );
    } else {
      refusals.push(`--also ${a}: not a member of IOMMU group ${g.group?.id ?? "(none)"} of ${fn.address}`);
    }
  }

  const moving = [...card, ...named];
  for (const f of moving) {
    const screen = screenOn(f, scan);
    for (const u of usesOf(f, scan, use)) {
      // The boot GPU's console is said once, below, with the firmware framebuffer.
      if (u.overridable && screen) continue;
      if (u.overridable && options.force) warnings.push(`${u.message} (--force given)`);
      else refusals.push(u.overridable ? `${u.message}; use --force to do it anyway` : u.message);
    }
    if (screen) {
      const msg = `${f.address} is the boot GPU with the host's ${screen} on it: binding it blanks the host's screen`;
      if (options.force) warnings.push(`${msg} (--force given)`);
      else refusals.push(`${msg}; use --force to do it anyway`);
    }
  }
  if (!scan.vfioPciLoaded) refusals.push("vfio-pci is not loaded: run modprobe vfio-pci first");
  const unknownDriver = moving.filter(
    (f) => f.unknown.includes("driver") || f.unknown.includes("device directory"),
  );
  if (unknownDriver.length) {
    refusals.push(
      `cannot tell which driver holds ${unknownDriver.map((f) => f.address).join(", ")} (see gpuvm host doctor)`,
    );
  }

  const todo = moving.filter((f) => f.driver !== VFIO_DRIVER);
  for (const f of todo) {
    for (const h of vfioHolders(f, use)) refusals.push(`${f.address} is held by a running VM: ${h}`);
  }
  const writes: SysfsWrite[] = [];
  // Overrides first, for every function: once set, no unbind below can let the old driver re-probe one.
  for (const f of todo) {
    if (f.driverOverride !== VFIO_DRIVER) {
      writes.push({
        path: devPath(f.address, "driver_override"),
        value: VFIO_DRIVER,
        why: "only vfio-pci may take it",
      });
    }
  }
  for (const f of todo) {
    if (f.driver)
      writes.push({
        path: driverPath(f.driver, "unbind"),
        value: f.address,
        why: `release it from ${f.driver}`,
      });
  }
  for (const f of todo) {
    writes.push({ path: driverPath(VFIO_DRIVER, "bind"), value: f.address, why: "hand it to vfio-pci" });
  }

  const now = options.now ?? new Date().toISOString();
  const record: Record<string, BindingRecord> = {};
  for (const f of todo)
    record[f.address] = { originalDriver: f.driver, originalOverride: f.driverOverride, boundAt: now };
  if (todo.length === 0 && refusals.length === 0)
    warnings.push(`group ${g.group?.id} is already on vfio-pci: nothing to write`);

  return {
    action: "bind",
    target: fn.address,
    group: g.group?.id ?? null,
    functions: moving.map((f) => ({ address: f.address, id: f.id, from: f.driver, to: VFIO_DRIVER })),
    writes,
    refusals,
    warnings,
    record,
    forget: [],
  };
}

/**
 * Plans giving back what gpuvm bound in a group: each recorded function returns to the driver
 * it had. A function on vfio-pci that gpuvm did not bind (bound at boot, by hand, by another
 * tool) is left alone unless the user names it and adds --force. Nothing a VM holds is touched.
 */
export function planUnbind(
  host: HostView,
  state: BindingState,
  address: string,
  options: UnbindOptions = {},
): VfioPlan {
  const { scan, use } = host;
  const fn = findFunction(scan, address);
  const named = new Set([fn.address, ...(options.also ?? []).map(parseAddress)]);
  const g = gpuGroupOf(fn, scan);
  const refusals: string[] = [];
  const warnings: string[] = [];
  const writes: SysfsWrite[] = [];
  const functions: PlannedFunction[] = [];
  const forget: string[] = [];

  const recorded = g.functions.filter((f) => state.bindings[f.address]);
  const notOurs = g.functions.filter((f) => !state.bindings[f.address] && f.driver === VFIO_DRIVER);
  const forced = notOurs.filter((f) => options.force && named.has(f.address));
  const leftAlone = notOurs.filter((f) => !forced.includes(f));
  if (leftAlone.length) {
    warnings.push(
      `${leftAlone.map((f) => f.address).join(", ")}: on vfio-pci, but gpuvm did not bind ${leftAlone.length === 1 ? "it" : "them"} (bound at boot or by hand): left as ${leftAlone.length === 1 ? "it is" : "they are"}; name the address and add --force to release it anyway`,
    );
  }
  const members = [...recorded, ...forced];
  for (const f of members) {
    for (const h of vfioHolders(f, use))
      refusals.push(`${f.address} is held by a running VM: ${h}; stop the VM first`);
  }
  if (members.length && use.vfio.unreadable > 0) {
    refusals.push(
      `cannot tell whether a VM holds ${members.map((f) => f.address).join(", ")}: the open files of ${use.vfio.unreadable} process(es) could not be read (run as root)`,
    );
  }

  for (const f of members) {
    const rec = state.bindings[f.address];
    if (!rec)
      warnings.push(
        `${f.address}: released with --force; its original driver is unknown, the kernel picks one`,
      );
    // Writing a newline clears the override (an empty write would not reach the kernel).
    const override = rec?.originalOverride ?? "\n";
    writes.push({
      path: devPath(f.address, "driver_override"),
      value: override,
      why: "let its own driver match it again",
    });
  }
  for (const f of members) {
    if (f.driver === VFIO_DRIVER) {
      writes.push({
        path: driverPath(VFIO_DRIVER, "unbind"),
        value: f.address,
        why: "release it from vfio-pci",
      });
    }
  }
  for (const f of members) {
    const rec = state.bindings[f.address];
    const to = rec ? rec.originalDriver : null;
    if (!rec || rec.originalDriver) {
      writes.push({
        path: "sys/bus/pci/drivers_probe",
        value: f.address,
        why: `probe it${to ? ` (${to} expected)` : ""}`,
      });
    }
    functions.push({ address: f.address, id: f.id, from: f.driver, to });
    if (rec) forget.push(f.address);
  }
  if (members.length === 0)
    warnings.push(
      `nothing to restore: gpuvm bound nothing in ${g.group ? `IOMMU group ${g.group.id}` : `slot ${pciSlot(fn.address)}`}`,
    );

  return {
    action: "unbind",
    target: fn.address,
    group: g.group?.id ?? null,
    functions,
    writes,
    refusals,
    warnings,
    record: {},
    forget,
  };
}
