// Where commands write. Tests hand in buffers; the real CLI hands in the process streams.
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Errors in how the command was called (exit 2), as opposed to bad input files (exit 1). */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Ends a command with an exit code after it has printed why (lint findings, for example). */
export class QuietExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = "QuietExit";
  }
}

export const EXIT = { ok: 0, invalid: 1, usage: 2, changes: 3 } as const;
