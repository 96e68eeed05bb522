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

/** A command that finished normally but reports its result through the exit code (plan: 3 = changes). */
export class ExitStatus extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = "ExitStatus";
  }
}

export const EXIT = { ok: 0, invalid: 1, usage: 2, changes: 3 } as const;
