import { VFIO_DRIVER } from "../drivers.js";
import { HostUserError } from "../errors.js";
import { describeFunction, gpuGroupOf } from "../gpus.js";
import { normalizePciAddress } from "../pci-address.js";
import type { HostScan, PciFunction } from "../types.js";
import type { BindingRecord, BindingState } from "./state.js";

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
  /** Bind the boot GPU even with a console or framebuffer on it. */
  force?: boolean;
  /** Timestamp for the state file (injected by tests). */
  now?: string;
}

const devPath = (a: string, attr: string) => `sys/bus/pci/devices/${a}/${attr}`;
const driverPath = (driver: string, attr: string) => `sys/bus/pci/drivers/${driver}/${attr}`;

function findFunction(scan: HostScan, address: string): PciFunction {
  const normalized = normalizePciAddress(address);
  if (!normalized) {
    throw new HostUserError(
      `"${address}" is not a PCI address`,
      "give it as 0000:09:00.0 (or 09:00.0), as lspci -D prints it",
    );
  }
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

/**
 * Plans the runtime move of a GPU's whole IOMMU group to vfio-pci through driver_override.
 * Pure: it reads only the scan and returns the writes, refusing what would hurt the host.
 */
export function planBind(scan: HostScan, address: string, options: BindOptions = {}): VfioPlan {
  const fn = findFunction(scan, address);
  const g = gpuGroupOf(fn, scan);
  const refusals: string[] = [];
  const warnings: string[] = [];

  if (!g.functions.some((f) => f.role === "display")) {
    warnings.push(`${fn.address} is not on a display device: gpuvm binds GPUs; check the address`);
  }
  if (!g.group)
    refusals.push(`${fn.address} has no IOMMU group: turn the IOMMU on first (gpuvm host doctor)`);
  if (g.strangers.length) {
    refusals.push(
      `IOMMU group ${g.group?.id} is not only this card: ${g.strangers.map(describeFunction).join(", ")} would be taken from the host too (gpuvm host doctor explains the options)`,
    );
  }
  const bootGpu = g.functions.find((f) => f.bootVga) ?? g.gpu;
  const screen = screenOn(bootGpu, scan);
  if (screen) {
    const msg = `${bootGpu.address} is the boot GPU with the host's ${screen} on it: binding it blanks the host's screen`;
    if (options.force) warnings.push(`${msg} (--force given)`);
    else refusals.push(`${msg}; use --force to do it anyway`);
  }
  if (!scan.vfioPciLoaded) refusals.push("vfio-pci is not loaded: run modprobe vfio-pci first");
  const unknownDriver = g.functions.filter(
    (f) => f.unknown.includes("driver") || f.unknown.includes("device directory"),
  );
  if (unknownDriver.length) {
    refusals.push(
      `cannot tell which driver holds ${unknownDriver.map((f) => f.address).join(", ")} (see gpuvm host doctor)`,
    );
  }

  const todo = g.functions.filter((f) => f.driver !== VFIO_DRIVER);
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
    warnings.push(`group ${g.group?.id} is already on vfio-pci`);

  return {
    action: "bind",
    target: fn.address,
    group: g.group?.id ?? null,
    functions: g.functions.map((f) => ({ address: f.address, id: f.id, from: f.driver, to: VFIO_DRIVER })),
    writes,
    refusals,
    warnings,
    record,
    forget: [],
  };
}

/** Plans giving a group back to the drivers it had before gpuvm bound it. */
export function planUnbind(scan: HostScan, state: BindingState, address: string): VfioPlan {
  const fn = findFunction(scan, address);
  const g = gpuGroupOf(fn, scan);
  const warnings: string[] = [];
  const writes: SysfsWrite[] = [];
  const functions: PlannedFunction[] = [];
  const forget: string[] = [];
  const members = g.functions.filter((f) => f.driver === VFIO_DRIVER || state.bindings[f.address]);

  for (const f of members) {
    const rec = state.bindings[f.address];
    if (!rec)
      warnings.push(
        `${f.address}: gpuvm did not bind it, so its original driver is unknown; the kernel picks one`,
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
    warnings.push(`nothing to restore: no function of ${fn.address}'s group is on vfio-pci`);

  return {
    action: "unbind",
    target: fn.address,
    group: g.group?.id ?? null,
    functions,
    writes,
    refusals: [],
    warnings,
    record: {},
    forget,
  };
}
