import { isBridgeRole, isPciAddress } from "./pci-address.js";
import type { HostReader } from "./reader.js";
import type { IommuGroup, PciFunction, ScanIssue } from "./types.js";

export const IOMMU_GROUPS_DIR = "sys/kernel/iommu_groups";

/**
 * Groups from `sys/kernel/iommu_groups/<n>/devices`, merged with each device's own
 * `iommu_group` link so a group still shows when one side could not be read.
 */
export function readIommuGroups(
  reader: HostReader,
  devices: PciFunction[],
  issues: ScanIssue[],
): IommuGroup[] {
  const members = new Map<number, Set<string>>();
  const list = reader.listDir(IOMMU_GROUPS_DIR);
  if (list.ok) {
    for (const name of list.value) {
      if (!/^\d+$/.test(name)) continue;
      const id = Number(name);
      const set = members.get(id) ?? new Set<string>();
      members.set(id, set);
      const devs = reader.listDir(`${IOMMU_GROUPS_DIR}/${name}/devices`);
      if (!devs.ok) {
        issues.push({ path: `${IOMMU_GROUPS_DIR}/${name}/devices`, reason: devs.reason });
        continue;
      }
      for (const d of devs.value) if (isPciAddress(d)) set.add(d);
    }
  } else if (!list.missing) {
    issues.push({ path: IOMMU_GROUPS_DIR, reason: list.reason });
  }
  for (const d of devices) {
    if (d.iommuGroup === null) continue;
    const set = members.get(d.iommuGroup) ?? new Set<string>();
    set.add(d.address);
    members.set(d.iommuGroup, set);
  }
  return buildGroups(members, devices);
}

/** Pure: sorts members and tells bridges from endpoints by class. */
export function buildGroups(members: Map<number, Set<string>>, devices: PciFunction[]): IommuGroup[] {
  const byAddress = new Map(devices.map((d) => [d.address, d]));
  return [...members.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, set]) => {
      const sorted = [...set].sort();
      // A member we could not read counts as an endpoint: assuming it is harmless would be the unsafe guess.
      const isBridge = (a: string) => {
        const d = byAddress.get(a);
        return d !== undefined && isBridgeRole(d.role);
      };
      return {
        id,
        members: sorted,
        endpoints: sorted.filter((a) => !isBridge(a)),
        bridges: sorted.filter(isBridge),
      };
    });
}
