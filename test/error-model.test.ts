// The error model as a rule over the source: every error a user can meet is a GpuvmError (src/errors.ts),
// which carries the exit code and the next step. A bare `throw new Error(` or an Error subclass outside
// src/errors.ts would reach the CLI as "a bug in gpuvm", without its exit code or hint.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "..", "src");
/** The one place allowed to extend Error: the base class itself. */
const BASE = "errors.ts";

const RULES: { what: string; pattern: RegExp }[] = [
  { what: "a bare Error thrown", pattern: /\bthrow\s+new\s+(Type|Range|Syntax)?Error\s*\(/ },
  { what: "an Error subclass that is not a GpuvmError", pattern: /\bextends\s+(Type|Range|Syntax)?Error\b/ },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** "src/x.ts:12: a bare Error thrown: throw new Error(…)" for each breach, comments left out. */
function breaches(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const name = relative(join(SRC, ".."), file);
    if (name === join("src", BASE)) continue;
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, index) => {
        const code = line.trimStart();
        if (code.startsWith("//") || code.startsWith("*")) return;
        for (const rule of RULES) {
          if (rule.pattern.test(line)) found.push(`${name}:${index + 1}: ${rule.what}: ${code}`);
        }
      });
  }
  return found;
}

describe("the error model", () => {
  it("src/ throws GpuvmErrors only: no bare Error, no Error subclass outside src/errors.ts", () => {
    expect(breaches(sourceFiles(SRC))).toEqual([]);
  });
});
