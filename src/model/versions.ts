// Version facts of KubeVirt and CDI, in one table. Each fact names where it comes from; when a fact
// changes upstream, change it here and nowhere else.

export type Version = readonly [major: number, minor: number, patch: number];

/** "v1.6.3", "1.6" → [1, 6, 3] / [1, 6, 0]; undefined for anything else. */
export function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** True when `text` parses and is at least `minimum`; unparsable versions count as new enough. */
export function atLeast(text: string, minimum: Version): boolean {
  const version = parseVersion(text);
  return version === undefined || compareVersions(version, minimum) >= 0;
}

export function formatVersion(version: Version): string {
  return `v${version.join(".")}`;
}

export const KUBEVIRT = {
  // The managedTap domain attachment type of network binding plugins. Source: kubevirt/kubevirt
  // PR #13024; api/core/v1/types.go at v1.4.0 ("managedTap" (since v1.4)); seed 000 ("KubeVirt v1.4.0+").
  managedTap: [1, 4, 0],
  // spec.domain.devices.video and its VideoConfig gate. Source: pkg/virt-config/featuregate at v1.6.0
  // (Alpha), v1.7.0 and v1.8.0 (Beta), v1.9.0 (GA). Alpha and Beta gates are off unless listed.
  videoConfig: [1, 6, 0],
  videoConfigGa: [1, 9, 0],
  // Persistent TPM and EFI state (tpm.persistent, efi.persistent) behind VMPersistentState. Source:
  // pkg/virt-config/feature-gates.go at v1.0.0 (gate added); featuregate/active.go at v1.5.0 (Alpha)
  // and v1.6.0 (GA, gate no longer needed).
  persistentState: [1, 0, 0],
  persistentStateGa: [1, 6, 0],
  // CD-ROM media changed in a running VM by editing the VM spec (an empty drive, hotpluggable media),
  // behind DeclarativeHotplugVolumes. Source: Harvester's CD-ROM hotplug enhancement ("available since
  // version 1.6"), which cites KubeVirt's hotplug volumes guide.
  declarativeHotplug: [1, 6, 0],
} as const satisfies Record<string, Version>;

// The HostDevices gate is Alpha through v1.9 (pkg/virt-config/featuregate, legacy/host_devices.go), so
// a KubeVirt CR that permits host devices must always list it.
export const HOST_DEVICES_GATE = "HostDevices";
export const DECLARATIVE_HOTPLUG_GATE = "DeclarativeHotplugVolumes";

/**
 * The first KubeVirt release whose API has each Hyper-V enlightenment under
 * spec.domain.features.hyperv. Source: the json tags in kubevirt/kubevirt's API types
 * (pkg/api/v1/schema.go, later staging/src/kubevirt.io/api/core/v1/schema.go) at each tag: the first
 * nine exist at v0.3.0, the last five appear in v0.17.0. `vendorid` is spelt in lower case; seed 000's
 * "The `vendorId` field … is not supported in KubeVirt v1.6.3" is the camel-case spelling being
 * rejected: v1.6.3's schema.go has `json:"vendorid,omitempty"`.
 */
export const HYPERV_SINCE: Record<string, Version> = {
  relaxed: [0, 3, 0],
  vapic: [0, 3, 0],
  spinlocks: [0, 3, 0],
  vpindex: [0, 3, 0],
  runtime: [0, 3, 0],
  synic: [0, 3, 0],
  synictimer: [0, 3, 0],
  reset: [0, 3, 0],
  vendorid: [0, 3, 0],
  frequencies: [0, 17, 0],
  reenlightenment: [0, 17, 0],
  tlbflush: [0, 17, 0],
  ipi: [0, 17, 0],
  evmcs: [0, 17, 0],
};

/**
 * CDI minor versions that go with each KubeVirt minor: the CDI release that the KubeVirt
 * hyperconverged-cluster-operator ships with it (hack/config on its release-1.10 … release-1.19
 * branches: KubeVirt v1.0.1 + CDI v1.57.0 … v1.6.6 + v1.63.1 … v1.9.0 + v1.66.0), and the one before,
 * which HCO's main branch ran with each KubeVirt minor while the next CDI was being prepared.
 * Seed 000: "CDI: v1.63.1 (latest stable compatible with KubeVirt 1.6.3)".
 */
export const CDI_FOR_KUBEVIRT: Record<string, { from: number; to: number }> = {
  "1.0": { from: 56, to: 57 },
  "1.1": { from: 57, to: 58 },
  "1.2": { from: 58, to: 59 },
  "1.3": { from: 59, to: 60 },
  "1.4": { from: 60, to: 61 },
  "1.5": { from: 61, to: 62 },
  "1.6": { from: 62, to: 63 },
  "1.7": { from: 63, to: 64 },
  "1.8": { from: 64, to: 65 },
  "1.9": { from: 65, to: 66 },
};
