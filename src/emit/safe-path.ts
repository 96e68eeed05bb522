// The one check every path below an output folder passes before gpuvm writes or removes it: a plain
// relative path whose segments are names, so no name from a lab file (a host called "..", a bridge
// holding a "/") can reach outside the folder. The lab file is checked for such names first; this is
// the second line, at the place where the path meets the file system.
import { GpuvmError } from "../errors.js";
import { quoteForMessage } from "../terminal.js";

function refusal(path: string, why: string): GpuvmError {
  return new GpuvmError(`refusing to write "${quoteForMessage(path)}": ${why}`, {
    hint: "a name in the lab file (a host, VM, network or bridge) holds a path character; rename it",
  });
}

/** The segments of `path`, a path relative to an output folder; throws when it could leave the folder. */
export function outputPathSegments(path: string): string[] {
  if (path === "") throw refusal(path, "the path is empty");
  if (path.startsWith("/")) throw refusal(path, "the path is absolute, not inside the output folder");
  if (path.includes("\\")) throw refusal(path, 'the path holds a "\\"');
  if (path.includes("\0")) throw refusal(path, "the path holds a NUL character");
  const segments = path.split("/");
  for (const segment of segments) {
    if (segment === "") throw refusal(path, 'the path has an empty segment (a "//" or a trailing "/")');
    if (segment === "." || segment === "..") throw refusal(path, `the path has a "${segment}" segment`);
  }
  return segments;
}
