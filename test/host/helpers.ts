import * as fs from "node:fs";
import { afterAll } from "vitest";
import { scanHost } from "../../src/host/scan.js";
import type { HostScan } from "../../src/host/types.js";
import { buildTempTree } from "../fixtures/hosts/build-tree.js";
import type { MachineSpec } from "../fixtures/hosts/spec.js";

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Builds the machine's tree in a temp dir (removed after the file's tests) and returns its root. */
export function tree(spec: MachineSpec): string {
  const root = buildTempTree(spec);
  made.push(root);
  return root;
}

export function scanOf(spec: MachineSpec): HostScan {
  return scanHost({ root: tree(spec) });
}

export function device(scan: HostScan, address: string) {
  const d = scan.devices.find((x) => x.address === address);
  if (!d) throw new Error(`no device ${address} in scan`);
  return d;
}
