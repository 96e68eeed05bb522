// The gpuvm command: builds the program, runs it, and turns every failure into a message and an exit code.
import { Command, CommanderError } from "commander";
import { InputError } from "../config/problem.js";
import { HostUserError } from "../host/errors.js";
import { version } from "../version.js";
import { registerHost } from "./host.js";
import { registerInit } from "./init.js";
import { EXIT, type Io, processIo, QuietExit, UsageError } from "./io.js";
import { registerLint } from "./lint.js";
import { registerRender } from "./render.js";
import { registerSchema } from "./schema.js";
import { registerValidate } from "./validate.js";

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
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  }
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
    if (error instanceof HostUserError) {
      io.err(`gpuvm: ${error.message}\n${error.hint ? `  next: ${error.hint}\n` : ""}`);
      return EXIT.invalid;
    }
    if (error instanceof QuietExit) return error.exitCode;
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
