// The one error model: every failure a user can meet is a GpuvmError, which carries the exit code the
// CLI ends with and, when there is one, the next step. Anything else reaching the CLI is a bug in gpuvm
// and is reported without a stack trace unless GPUVM_DEBUG is set.

/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** Invalid input or a failed check. */
  invalid: 1,
  /** The command was called wrongly. */
  usage: 2,
  /** `plan`: something would change. */
  changes: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface GpuvmErrorOptions {
  /** The exit code the CLI ends with (default: 1, invalid input or a failed check). */
  exitCode?: number;
  /** What the user can do next, when there is a clear step. */
  hint?: string;
  cause?: unknown;
}

export class GpuvmError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, options: GpuvmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? EXIT.invalid;
    this.hint = options.hint;
  }
}
