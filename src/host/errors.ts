/**
 * A problem the user can fix (bad address, refused plan, unwritable sysfs). The CLI prints
 * its message without a stack trace.
 */
export class HostUserError extends Error {
  override readonly name = "HostUserError";
  constructor(
    message: string,
    /** What to do about it, when there is a clear next step. */
    readonly hint?: string,
  ) {
    super(message);
  }
}
