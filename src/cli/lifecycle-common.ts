// What start/stop/restart/switch/wait share: the lifecycle context, with progress on stderr so stdout
// stays for results.
import type { LifecycleContext } from "../cluster/lifecycle.js";
import type { Opened } from "./cluster-options.js";
import type { Io } from "./io.js";

export function lifecycleContext(opened: Opened, io: Io, timeoutMs: number): LifecycleContext {
  return { client: opened.client, lab: opened.lab, report: (line) => io.err(line), timeoutMs };
}

export const MODES = ["live", "maintenance"];
