// Where commands write. Tests hand in buffers; the real CLI hands in the process streams.
import { EXIT, GpuvmError } from "../errors.js";

export { EXIT };

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

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
