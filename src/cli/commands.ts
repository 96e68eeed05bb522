// Every gpuvm command as `gpuvm --help` lists it, and the module that defines it. A command's module (its
// options, its action, and the lab, render and cluster code behind them) is imported only when that
// command runs, so `gpuvm --version`, `--help` and each command start without loading the others.
// The usage term and description must match what the module registers; test/cli/startup.test.ts checks
// that and prints the corrected line when one drifts.
import type { Command } from "commander";
import type { Io } from "./io.js";

export type Register = (program: Command, io: Io) => void;

export interface CommandEntry {
  /** As typed after `gpuvm`. */
  name: string;
  /** What `gpuvm --help` shows for it: its usage term ("start [options] <vm>") and description. */
  term: string;
  description: string;
  load: () => Promise<Register>;
}

// In the order `gpuvm --help` lists them.
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "init",
    term: "init [options] [file]",
    description: "write a commented starter lab file, and gpuvm.schema.json beside it for editors",
    load: async () => (await import("./init.js")).registerInit,
  },
  {
    name: "validate",
    term: "validate [options]",
    description: "check a lab file and show what it resolves to",
    load: async () => (await import("./validate.js")).registerValidate,
  },
  {
    name: "render",
    term: "render [options]",
    description: "render the lab's objects for a target",
    load: async () => (await import("./render.js")).registerRender,
  },
  {
    name: "lint",
    term: "lint [options]",
    description: "check a lab against every lesson of running GPU VMs on KubeVirt (docs/lint.md)",
    load: async () => (await import("./lint.js")).registerLint,
  },
  {
    name: "schema",
    term: "schema",
    description: "print the JSON Schema of the lab file, for editors (gpuvm schema > gpuvm.schema.json)",
    load: async () => (await import("./schema.js")).registerSchema,
  },
  {
    name: "host",
    term: "host",
    description: "scan a GPU host, check it, and bind its GPU to vfio-pci",
    load: async () => (await import("./host.js")).registerHost,
  },
  {
    name: "plan",
    term: "plan [options]",
    description:
      "show what apply would change on the cluster (server-side dry run); exit 3 when something would",
    load: async () => (await import("./plan.js")).registerPlan,
  },
  {
    name: "apply",
    term: "apply [options]",
    description: "create or update the lab's objects on the cluster (server-side apply)",
    load: async () => (await import("./apply.js")).registerApply,
  },
  {
    name: "start",
    term: "start [options] <vm>",
    description: "start a VM in one of its modes",
    load: async () => (await import("./start.js")).registerStart,
  },
  {
    name: "stop",
    term: "stop [options] <vm>",
    description: "stop a VM (whichever mode runs)",
    load: async () => (await import("./stop.js")).registerStop,
  },
  {
    name: "restart",
    term: "restart [options] <vm>",
    description: "stop a VM and start it again",
    load: async () => (await import("./restart.js")).registerRestart,
  },
  {
    name: "switch",
    term: "switch [options] <vm>",
    description: "move a VM to its other mode (the one that does not run), or to --to",
    load: async () => (await import("./switch.js")).registerSwitch,
  },
  {
    name: "status",
    term: "status [options] [vm]",
    description: "show the lab's VMs on the cluster",
    load: async () => (await import("./status.js")).registerStatus,
  },
  {
    name: "wait",
    term: "wait [options] <vm>",
    description: "wait until a VM runs or is stopped",
    load: async () => (await import("./wait.js")).registerWait,
  },
  {
    name: "cluster",
    term: "cluster",
    description: "look at the cluster the lab runs on",
    load: async () => (await import("./cluster.js")).registerCluster,
  },
  {
    name: "iso",
    term: "iso",
    description: "installation ISOs: upload, list, attach, detach, eject",
    load: async () => (await import("./iso.js")).registerIso,
  },
  {
    name: "vnc",
    term: "vnc [options] <vm>",
    description:
      "serve a VM's VNC display on a local port; survives reboots (each client reaches the current VMI)",
    load: async () => (await import("./vnc.js")).registerVnc,
  },
  {
    name: "console",
    term: "console [options] <vm>",
    description: "open a VM's serial console in this terminal (Ctrl-] to leave)",
    load: async () => (await import("./console.js")).registerConsole,
  },
];

/**
 * The command these arguments run, as commander picks it: the first argument that is not an option
 * (the program's own options, -V and -h, take no value). `gpuvm help X` shows X's help, so X is the one.
 */
export function commandToLoad(args: readonly string[]): CommandEntry | undefined {
  const operands = args.filter((arg) => !arg.startsWith("-"));
  const name = operands[0] === "help" ? operands[1] : operands[0];
  return COMMANDS.find((entry) => entry.name === name);
}
