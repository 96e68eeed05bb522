// A located problem in user input, and the error that carries a list of them.

import { GpuvmError } from "../errors.js";
import { quoteForMessage } from "../terminal.js";
import type { LabPath, Location } from "./source.js";

export interface Problem extends Location {
  /** Dotted path in the lab file ("vms.gaming.modes.live.cpu"), empty for the whole file. */
  path: string;
  message: string;
}

/** The most problems one error prints: a broken 4 MiB file could otherwise print a line per byte. */
export const MAX_PRINTED_PROBLEMS = 50;

/** The longest message or path printed whole; a value pasted into a lab file by mistake can be megabytes. */
export const MAX_MESSAGE_CHARS = 1000;

/** `text` cut to MAX_MESSAGE_CHARS, saying how much was left out. */
export function clipMessage(text: string): string {
  if (text.length <= MAX_MESSAGE_CHARS) return text;
  return `${text.slice(0, MAX_MESSAGE_CHARS)}… (${text.length - MAX_MESSAGE_CHARS} more characters)`;
}

/** A part of a message as it may reach a terminal: clipped, control characters and line breaks escaped. */
export function safeMessage(text: string): string {
  return quoteForMessage(clipMessage(text));
}

export function dottedPath(path: LabPath): string {
  return path.map(String).join(".");
}

/**
 * One line per problem. Keys and values from the lab file reach the message as they were written, so
 * the line is made terminal-safe here: control characters (an ESC sequence in a key) and line breaks
 * are shown escaped, and one problem can neither rewrite the terminal nor pass for two. Each part is
 * clipped, so one line stays readable whatever the file holds.
 */
export function formatProblem(problem: Problem): string {
  const where = `${safeMessage(problem.file)}:${problem.line}:${problem.col}`;
  const message = safeMessage(problem.message);
  return problem.path ? `${where}: ${safeMessage(problem.path)}: ${message}` : `${where}: ${message}`;
}

function formatProblems(problems: Problem[]): string {
  const shown = problems.slice(0, MAX_PRINTED_PROBLEMS).map(formatProblem);
  const rest = problems.length - shown.length;
  if (rest > 0) shown.push(`… and ${rest} more problem${rest === 1 ? "" : "s"} (fix these first)`);
  return shown.join("\n");
}

/** Input the user must fix. The CLI prints each problem on its own line and exits 1. */
export class InputError extends GpuvmError {
  constructor(readonly problems: Problem[]) {
    super(formatProblems(problems));
  }
}
