import { GpuvmError } from "../errors.js";

/**
 * A problem the user can fix (bad address, refused plan, unwritable sysfs). The CLI prints
 * its message without a stack trace, and the hint as the next step.
 */
export class HostUserError extends GpuvmError {
  constructor(message: string, hint?: string) {
    super(message, hint ? { hint } : {});
  }
}
