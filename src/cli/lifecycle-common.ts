// What start/stop/restart/switch/wait share: the engine they act through (KubeVirt, reached with the
// cluster flags), with progress on stderr so stdout stays for results.
import type { Engine } from "../engine/engine.js";
import { KubeVirtEngine } from "../engine/kubevirt.js";
import type { Opened } from "./cluster-options.js";
import type { Io } from "./io.js";

export function lifecycleEngine(opened: Opened, io: Io, timeoutMs: number): Engine {
  return new KubeVirtEngine({
    client: opened.client,
    namespace: opened.namespace,
    lab: opened.lab,
    timeoutMs,
    report: (line) => io.err(`${line}\n`),
  });
}

// The modes offered as option choices: the lab file's list.
export { MODES } from "../config/modes.js";
