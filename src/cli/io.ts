// Where commands write. Tests hand in buffers; the real CLI hands in the process streams.
import { redact, redactKnown } from "../cluster/secrets.js";
import { EXIT, GpuvmError } from "../errors.js";
import { terminalSafe } from "../terminal.js";

export { EXIT };

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * The streams every command writes through: no control character from a lab file or a server's reply
 * acts on the terminal, and no credential from the kubeconfig is printed. stderr carries messages and
 * logs, where anything shaped like a credential goes too; stdout carries data (tables, JSON, YAML),
 * where only the kubeconfig's own secrets are taken out.
 */
export function guardedIo(io: Io): Io {
  return {
    out: (text) => io.out(terminalSafe(redactKnown(text))),
    err: (text) => io.err(terminalSafe(redact(text))),
  };
}

/** Errors in how the command was called (exit 2), as opposed to bad input files (exit 1). */
export class UsageError extends GpuvmError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT.usage, ...(hint ? { hint } : {}) });
  }
}

/** Ends a command with an exit code after it has printed why (lint findings, for example). */
export class QuietExit extends GpuvmError {
  constructor(exitCode: number) {
    super(`exit ${exitCode}`, { exitCode });
  }
}
