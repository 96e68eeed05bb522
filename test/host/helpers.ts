import { scanHost } from "../../src/host/scan.js";
import type { HostScan } from "../../src/host/types.js";
import { buildTree } from "../fixtures/hosts/build-tree.js";
import type { MachineSpec } from "../fixtures/hosts/spec.js";
import { tempDir } from "../support/temp.js";

/** Builds the machine's tree in a temp dir (removed after the file's tests) and returns its root. */
export function tree(spec: MachineSpec): string {
  return buildTree(spec, tempDir("gpuvm-sysfs-"));
}

export function scanOf(spec: MachineSpec): HostScan {
  return scanHost({ root: tree(spec) });
}

export function device(scan: HostScan, address: string) {
  const d = scan.devices.find((x) => x.address === address);
  if (!d) throw new Error(`no device ${address} in scan`);
  return d;
}
