import { parseCmdline } from "./cmdline.js";
import { parseCpuinfo } from "./cpuinfo.js";
import { parseDracutConf, parseInitramfsModules, parseModprobeConf } from "./early-binding.js";
import { firmwareDriversInProcFb, framebufferHolderFromIomem, parseProcFb } from "./framebuffer.js";
import { readIommuGroups } from "./iommu-groups.js";
import { readBridges } from "./network.js";
import { type PciIdsDb, parsePciIds } from "./pci-ids.js";
import { fsReader, type HostReader } from "./reader.js";
import { readPciFunctions } from "./sysfs-pci.js";
import type { EarlyBindingConfig, FramebufferInfo, HostScan, ScanIssue } from "./types.js";

export const PCI_IDS_PATHS = ["usr/share/misc/pci.ids", "usr/share/hwdata/pci.ids"];

export interface ScanOptions {
  /** Directory to treat as `/`. Default `/`. */
  root?: string;
  /** Reader to use instead of the real file system (tests inject failures with it). */
  reader?: HostReader;
}

/** Reads an optional file; records an issue when it exists but cannot be read. */
function optionalText(reader: HostReader, rel: string, issues: ScanIssue[]): string | null {
  const r = reader.readText(rel);
  if (r.ok) return r.value;
  if (!r.missing) issues.push({ path: rel, reason: r.reason });
  return null;
}

function loadPciIds(reader: HostReader, issues: ScanIssue[]): { db: PciIdsDb | null; source: string | null } {
  for (const rel of PCI_IDS_PATHS) {
    const text = optionalText(reader, rel, issues);
    if (text !== null) return { db: parsePciIds(text), source: rel };
  }
  return { db: null, source: null };
}

/** Scans a host's sysfs/procfs/etc under a root. Never throws for what it finds there. */
export function scanHost(options: ScanOptions = {}): HostScan {
  const reader = options.reader ?? fsReader(options.root ?? "/");
  const issues: ScanIssue[] = [];
  const { db, source } = loadPciIds(reader, issues);

  const devices = readPciFunctions(reader, db, issues);
  const iommuGroups = readIommuGroups(reader, devices, issues);
  const cpuText = optionalText(reader, "proc/cpuinfo", issues);
  const cmdlineText = optionalText(reader, "proc/cmdline", issues);
  const hostname =
    (
      optionalText(reader, "proc/sys/kernel/hostname", issues) ?? optionalText(reader, "etc/hostname", issues)
    )?.trim() || null;
  const iommuList = reader.listDir("sys/class/iommu");

  return {
    root: reader.root,
    hostname,
    cpu: parseCpuinfo(cpuText ?? ""),
    memoryBytes: parseMemTotal(optionalText(reader, "proc/meminfo", issues)),
    cmdline: cmdlineText === null ? null : parseCmdline(cmdlineText),
    kvm: reader.exists("dev/kvm"),
    vfioPciLoaded: reader.exists("sys/module/vfio_pci") || reader.exists("sys/bus/pci/drivers/vfio-pci"),
    iommuUnits: iommuList.ok ? iommuList.value : [],
    devices,
    iommuGroups,
    framebuffer: readFramebuffer(reader, issues),
    bridges: readBridges(reader),
    earlyBinding: readEarlyBinding(reader, issues),
    pciIdsSource: source,
    issues,
  };
}

export function parseMemTotal(text: string | null): number | null {
  const m = text ? /^MemTotal:\s+(\d+)\s*kB/m.exec(text) : null;
  return m ? Number(m[1]) * 1024 : null;
}

/** Platform drivers of the firmware framebuffers; a bound device shows as an entry in their directory. */
const PLATFORM_FB_DRIVERS: [string, string][] = [
  ["efi-framebuffer", "efifb"],
  ["vesa-framebuffer", "vesafb"],
  ["simple-framebuffer", "simplefb"],
];

function readFramebuffer(reader: HostReader, issues: ScanIssue[]): FramebufferInfo {
  const devices = parseProcFb(optionalText(reader, "proc/fb", issues) ?? "");
  const drivers = new Set(firmwareDriversInProcFb(devices));
  for (const [dir, name] of PLATFORM_FB_DRIVERS) {
    const list = reader.listDir(`sys/bus/platform/drivers/${dir}`);
    if (list.ok && list.value.some((e) => e.startsWith(`${dir}.`))) drivers.add(name);
  }
  const iomem = framebufferHolderFromIomem(optionalText(reader, "proc/iomem", issues) ?? "");
  for (const d of iomem.drivers) drivers.add(d);

  const boundConsoles: string[] = [];
  const vt = reader.listDir("sys/class/vtconsole");
  for (const con of vt.ok ? vt.value : []) {
    const name = optionalText(reader, `sys/class/vtconsole/${con}/name`, issues)?.trim() ?? "";
    const bind = optionalText(reader, `sys/class/vtconsole/${con}/bind`, issues)?.trim();
    if (bind === "1" && /frame buffer/i.test(name)) boundConsoles.push(con);
  }
  return { devices, firmwareDrivers: [...drivers].sort(), holder: iomem.holder, boundConsoles };
}

function readEarlyBinding(reader: HostReader, issues: ScanIssue[]): EarlyBindingConfig {
  const out: EarlyBindingConfig = {
    modprobeVfioIds: [],
    softdeps: [],
    blacklisted: [],
    initramfsModules: [],
    dracutDrivers: [],
    filesRead: [],
  };
  const confFiles = (dir: string) => {
    const list = reader.listDir(dir);
    if (!list.ok && !list.missing) issues.push({ path: dir, reason: list.reason });
    return list.ok ? list.value.filter((f) => f.endsWith(".conf")).map((f) => `${dir}/${f}`) : [];
  };
  for (const rel of confFiles("etc/modprobe.d")) {
    const text = optionalText(reader, rel, issues);
    if (text === null) continue;
    out.filesRead.push(rel);
    const parsed = parseModprobeConf(text);
    out.modprobeVfioIds.push(...parsed.modprobeVfioIds);
    out.softdeps.push(...parsed.softdeps);
    out.blacklisted.push(...parsed.blacklisted);
  }
  const initramfs = optionalText(reader, "etc/initramfs-tools/modules", issues);
  if (initramfs !== null) {
    out.filesRead.push("etc/initramfs-tools/modules");
    out.initramfsModules = parseInitramfsModules(initramfs);
  }
  for (const rel of confFiles("etc/dracut.conf.d")) {
    const text = optionalText(reader, rel, issues);
    if (text === null) continue;
    out.filesRead.push(rel);
    out.dracutDrivers.push(...parseDracutConf(text));
  }
  return out;
}
