// The gpuvm command: builds the program, runs it, and turns every failure into a message and an exit code.
import { Command, CommanderError } from "commander";
import { InputError } from "../config/problem.js";
import { version } from "../version.js";
import { registerConsole } from "./console.js";
import { registerInit } from "./init.js";
import { EXIT, type Io, processIo, UsageError } from "./io.js";
import { registerIso } from "./iso.js";
import { registerRender } from "./render.js";
import { registerSchema } from "./schema.js";
import { registerValidate } from "./validate.js";
import { registerVnc } from "./vnc.js";

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
  registerSchema(program, io);
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
    if (error instanceof InputError) {
      io.err(`${error.message}\n`);
      return EXIT.invalid;
    }
    if (error instanceof UsageError) {
      io.err(`gpuvm: ${error.message}\n`);
      return EXIT.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`gpuvm: ${message}\n`);
    if (process.env.GPUVM_DEBUG && error instanceof Error) io.err(`${error.stack}\n`);
    return EXIT.invalid;
  }
}
