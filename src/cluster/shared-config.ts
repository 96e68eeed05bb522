// The KubeVirt CR is shared with other owners (the cluster admin, other tools). Its featureGates and
// pciHostDevices are atomic lists in KubeVirt's schema (x-kubernetes-list-type: atomic), so a
// server-side apply would replace them whole and drop everyone else's entries. gpuvm therefore applies
// the rest of the CR with SSA and adds its entries to those two lists by value, with a
// read-modify-write guarded by resourceVersion (a 409 means someone wrote in between: read again).
import type { KubeObjectJson } from "./client.js";

export interface PciEntry {
  pciVendorSelector: string;
  resourceName: string;
  externalResourceProvider?: boolean;
}

export interface SharedEntries {
  featureGates: string[];
  pciHostDevices: PciEntry[];
}

type Json = Record<string, unknown>;

function child(obj: unknown, key: string): Json | undefined {
  if (typeof obj !== "object" || obj === null) return undefined;
  const value = (obj as Json)[key];
  return typeof value === "object" && value !== null ? (value as Json) : undefined;
}

function configuration(obj: unknown): Json | undefined {
  return child(child(obj, "spec"), "configuration");
}

/** The CR without the two atomic lists (for SSA), and the entries the lab needs in them. */
export function splitKubeVirt(kv: KubeObjectJson): { applied: KubeObjectJson; entries: SharedEntries } {
  const applied = structuredClone(kv);
  const config = configuration(applied);
  const dev = child(config, "developerConfiguration");
  const permitted = child(config, "permittedHostDevices");
  const entries: SharedEntries = {
    featureGates: (dev?.featureGates as string[] | undefined) ?? [],
    pciHostDevices: (permitted?.pciHostDevices as PciEntry[] | undefined) ?? [],
  };
  if (config && dev) {
    delete dev.featureGates;
    if (Object.keys(dev).length === 0) delete config.developerConfiguration;
  }
  if (config && permitted) {
    delete permitted.pciHostDevices;
    if (Object.keys(permitted).length === 0) delete config.permittedHostDevices;
  }
  return { applied, entries };
}

function samePci(a: PciEntry, b: PciEntry): boolean {
  // KubeVirt matches vendor:device case-insensitively ("10DE:2206" and "10de:2206" are one device).
  return (
    a.pciVendorSelector.toLowerCase() === b.pciVendorSelector.toLowerCase() &&
    a.resourceName === b.resourceName
  );
}

/** What the lists must become: everything already there, in order, plus the lab's missing entries. */
export function mergeEntries(live: KubeObjectJson | undefined, wanted: SharedEntries): SharedEntries {
  const config = configuration(live);
  const gates = [...((child(config, "developerConfiguration")?.featureGates as string[] | undefined) ?? [])];
  const pci = [...((child(config, "permittedHostDevices")?.pciHostDevices as PciEntry[] | undefined) ?? [])];
  for (const gate of wanted.featureGates) if (!gates.includes(gate)) gates.push(gate);
  for (const entry of wanted.pciHostDevices) if (!pci.some((have) => samePci(have, entry))) pci.push(entry);
  return { featureGates: gates, pciHostDevices: pci };
}

/** Entries the lab needs that the live CR lacks (empty lists: nothing to write). */
export function missingEntries(live: KubeObjectJson | undefined, wanted: SharedEntries): SharedEntries {
  const config = configuration(live);
  const gates = (child(config, "developerConfiguration")?.featureGates as string[] | undefined) ?? [];
  const pci = (child(config, "permittedHostDevices")?.pciHostDevices as PciEntry[] | undefined) ?? [];
  return {
    featureGates: wanted.featureGates.filter((gate) => !gates.includes(gate)),
    pciHostDevices: wanted.pciHostDevices.filter((entry) => !pci.some((have) => samePci(have, entry))),
  };
}

export function hasMissing(missing: SharedEntries): boolean {
  return missing.featureGates.length > 0 || missing.pciHostDevices.length > 0;
}

/** A merge patch that sets both lists to their merged value, refused by the server if `live` is stale. */
export function sharedPatch(live: KubeObjectJson, wanted: SharedEntries): Json | undefined {
  if (!hasMissing(missingEntries(live, wanted))) return undefined;
  const merged = mergeEntries(live, wanted);
  return {
    metadata: { resourceVersion: live.metadata.resourceVersion },
    spec: {
      configuration: {
        ...(merged.featureGates.length > 0
          ? { developerConfiguration: { featureGates: merged.featureGates } }
          : {}),
        ...(merged.pciHostDevices.length > 0
          ? { permittedHostDevices: { pciHostDevices: merged.pciHostDevices } }
          : {}),
      },
    },
  };
}
