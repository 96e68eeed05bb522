// The gpuvm command: builds the program, runs it, and turns every failure into a message and an exit code.
import { Command, CommanderError } from "commander";
import { InputError } from "../config/problem.js";
import { terminalSafe } from "../emit/terminal.js";
import { GpuvmError } from "../errors.js";
import { version } from "../version.js";
import { registerApply } from "./apply.js";
import { registerCluster } from "./cluster.js";
import { registerConsole } from "./console.js";
import { registerHost } from "./host.js";
import { registerInit } from "./init.js";
import { EXIT, type Io, processIo, QuietExit } from "./io.js";
import { registerIso } from "./iso.js";
import { registerLint } from "./lint.js";
import { registerPlan } from "./plan.js";
import { registerRender } from "./render.js";
import { registerRestart } from "./restart.js";
import { registerSchema } from "./schema.js";
import { registerStart } from "./start.js";
import { registerStatus } from "./status.js";
import { registerStop } from "./stop.js";
import { registerSwitch } from "./switch.js";
import { registerValidate } from "./validate.js";
import { registerVnc } from "./vnc.js";
import { registerWait } from "./wait.js";

export function buildProgram(io: Io): Command {
  const program = new Command("gpuvm")
    .description("GPU-passthrough virtual machines on Kubernetes (KubeVirt) from one lab file")
    .version(version, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  registerInit(program, io);
  registerValidate(program, io);
  registerRender(program, io);
  registerLint(program, io);
  registerSchema(program, io);
  registerHost(program, io);
  registerPlan(program, io);
  registerApply(program, io);
  registerStart(program, io);
  registerStop(program, io);
  registerRestart(program, io);
  registerSwitch(program, io);
  registerStatus(program, io);
  registerWait(program, io);
  registerCluster(program, io);
  registerIso(program, io);
  registerVnc(program, io);
  registerConsole(program, io);
  const configure = (command: Command) => {
    command.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
    for (const sub of command.commands) configure(sub);
  };
  for (const command of program.commands) configure(command);
  return program;
}

/** Runs gpuvm with node-style argv ([node, script, ...args]); resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end through here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof QuietExit) return error.exitCode;
    if (error instanceof InputError) {
      // Located problems (file:line:col: path: message) stand on their own lines.
      io.err(`${terminalSafe(error.message)}\n`);
      return error.exitCode;
    }
    if (error instanceof GpuvmError) {
      io.err(`gpuvm: ${terminalSafe(error.message)}\n`);
      if (error.hint) io.err(`  next: ${terminalSafe(error.hint)}\n`);
      return error.exitCode;
    }
    // Not a GpuvmError: a bug in gpuvm or an unexpected failure below it.
    const message = error instanceof Error ? error.message : String(error);
    io.err(`gpuvm: ${terminalSafe(message)}\n`);
    if (process.env.GPUVM_DEBUG && error instanceof Error) io.err(`${error.stack}\n`);
    return EXIT.invalid;
  }
}
