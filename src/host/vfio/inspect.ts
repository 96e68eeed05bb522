import { type HostUse, readHostUse } from "../in-use/index.js";
import { fsReader } from "../reader.js";
import { scanHost } from "../scan.js";
import type { HostScan } from "../types.js";

/** The scan and what the host is using, which a bind or unbind plan needs both of. */
export interface HostView {
  scan: HostScan;
  use: HostUse;
}

/** Reads both through one reader, so both see the same root and the same refusal of links out of it. */
export function inspectHost(root: string): HostView {
  const reader = fsReader(root);
  const scan = scanHost({ reader });
  return { scan, use: readHostUse(reader, scan) };
}
