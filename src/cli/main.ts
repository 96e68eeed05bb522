// The gpuvm command: builds the program, runs it, and turns every failure into a message and an exit code.
import { Command, CommanderError, Help } from "commander";
import { InputError } from "../config/problem.js";
import { GpuvmError } from "../errors.js";
import { version } from "../version.js";
import { COMMANDS, commandToLoad, type Register } from "./commands.js";
import { EXIT, guardedIo, type Io, processIo, QuietExit } from "./io.js";

/**
 * The program for these arguments (argv without node and the script). The command they run is defined
 * in full, its module imported now; every other command is only its name and its line in `gpuvm --help`,
 * which is all that help, `--version` and an unknown command's "did you mean" need. "all": every
 * command in full.
 */
export async function buildProgram(io: Io, args: readonly string[] | "all"): Promise<Command> {
  const one = args === "all" ? undefined : commandToLoad(args);
  const wanted = args === "all" ? COMMANDS : one ? [one] : [];
  const registers = new Map<string, Register>(
    await Promise.all(wanted.map(async (entry) => [entry.name, await entry.load()] as const)),
  );
  // Help computes a command's term from its options and arguments, which an outline does not have.
  const outlineTerms = new Map<Command, string>();
  const program = new Command("gpuvm")
    .description("GPU-passthrough virtual machines on Kubernetes (KubeVirt) from one lab file")
    .version(version, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .configureHelp({
      subcommandTerm(this: Help, command: Command) {
        return outlineTerms.get(command) ?? Help.prototype.subcommandTerm.call(this, command);
      },
    })
    .exitOverride();
  for (const entry of COMMANDS) {
    const register = registers.get(entry.name);
    if (register) register(program, io);
    else outlineTerms.set(program.command(entry.name).description(entry.description), entry.term);
  }
  const configure = (command: Command) => {
    command.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
    for (const sub of command.commands) configure(sub);
  };
  for (const command of program.commands) configure(command);
  return program;
}

/** Runs gpuvm with node-style argv ([node, script, ...args]); resolves to the exit code. */
export async function main(argv: string[], rawIo: Io = processIo): Promise<number> {
  const io = guardedIo(rawIo);
  const program = await buildProgram(io, argv.slice(2));
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
      io.err(`${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof GpuvmError) {
      io.err(`gpuvm: ${error.message}\n`);
      if (error.hint) io.err(`  next: ${error.hint}\n`);
      if (process.env.GPUVM_DEBUG) debugTrace(io, error);
      return error.exitCode;
    }
    // Not a GpuvmError: a bug in gpuvm or an unexpected failure below it.
    const message = error instanceof Error ? error.message : String(error);
    io.err(`gpuvm: ${message}\n`);
    if (process.env.GPUVM_DEBUG) debugTrace(io, error);
    return EXIT.invalid;
  }
}

/**
 * GPUVM_DEBUG: the stack of the error and of each cause below it (a library's error inside gpuvm's).
 * It goes through the same guarded stderr as every message: client-node and ws put request URLs and
 * headers into their messages.
 */
function debugTrace(io: Io, error: unknown): void {
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    const text = current instanceof Error ? (current.stack ?? current.message) : String(current);
    io.err(`${depth === 0 ? "" : "caused by: "}${text}\n`);
    current = current instanceof Error ? current.cause : undefined;
  }
}
