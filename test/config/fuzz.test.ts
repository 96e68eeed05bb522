// Property: whatever a lab file holds, gpuvm answers with located problems or with objects the
// upstream schemas accept, never a stack trace. Lab files are the examples, mutated: keys deleted or
// duplicated, values replaced by odd values and types, tags, aliases, control characters and YAML
// punctuation inserted, the text truncated. Seeded, so a failure reproduces; GPUVM_FUZZ_RUNS=100000
// runs more than the unit suite's default.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { InputError } from "../../src/config/problem.js";
import { TARGETS } from "../../src/config/schema.js";
import { runLint } from "../../src/lint/run.js";
import { parseModel } from "../../src/model/index.js";
import type { Lab } from "../../src/model/lab.js";
import { findTarget } from "../../src/render/targets/index.js";
import { EXAMPLES, exampleText } from "../support/labs.js";
import { upstreamSchemas } from "../support/upstream-schemas.js";

const RUNS = Number(process.env.GPUVM_FUZZ_RUNS ?? 1500);
const SEED = Number(process.env.GPUVM_FUZZ_SEED ?? 20261208);

const ODD_VALUES: unknown[] = [
  0,
  -1,
  1.5,
  1e308,
  2 ** 53 + 2,
  Number.NaN,
  true,
  null,
  "",
  " ",
  ".",
  "..",
  "../x",
  "a/b",
  "x".repeat(300),
  "0Gi",
  "1Ki",
  "64Mi",
  "99999999Ei",
  "1.5",
  "80%",
  "150%",
  "0%",
  "0.001%",
  "Tower_1",
  "local-br0",
  "0000:09:00.0",
  "10de:2206",
  "nvidia.com/x",
  "8a:d3:14:ca:21:XX",
  "01:00:5e:00:00:01",
  "192.168.26.0",
  "300.1.1.1",
  "v9.9.9",
  "\u001b]0;owned\u0007",
  "a\nb",
  "\u009b2J",
  "\u0000",
  [],
  {},
  [1, 2],
  { a: 1 },
];
const INSERTS = [
  "!!set ",
  "!!omap ",
  "!!binary ",
  "!!timestamp ",
  "!foo ",
  "!!str ",
  "*a ",
  "&a ",
  "<<: *a\n",
  "<<: ",
  "%YAML 1.1\n---\n",
  "---\n",
  "\u0000",
  "\u001b",
  "\u009b",
  "\r",
  "\t",
  "\uFEFF",
  "\u2028",
  "- ",
  ": ",
  "? ",
  "{",
  "}",
  "[",
  "]",
  '"',
  "'",
  "#",
  "\n",
  "  ",
  ",",
  "|\n",
  ">-\n",
  "\\",
  "a: &a { b: 1 }\n",
];

type Json = Record<string, unknown> | unknown[];
type Slot = { parent: Json; key: string | number };

/** Every slot (mapping key or list index) of a parsed example, in document order. */
function slots(value: unknown, found: Slot[] = []): Slot[] {
  if (Array.isArray(value))
    value.forEach((item, index) => {
      found.push({ parent: value, key: index });
      slots(item, found);
    });
  else if (value !== null && typeof value === "object")
    for (const [key, item] of Object.entries(value)) {
      found.push({ parent: value as Record<string, unknown>, key });
      slots(item, found);
    }
  return found;
}

type ValueEdit = {
  op: "delete" | "duplicate" | "replace" | "copy";
  at: number;
  from: number;
  value: unknown;
};
type TextEdit = { op: "deleteLine" | "duplicateLine" | "truncate" | "insert"; at: number; text: string };

const valueEdit: fc.Arbitrary<ValueEdit> = fc.record({
  op: fc.constantFrom("delete", "duplicate", "replace", "copy", "copy"),
  at: fc.nat(),
  from: fc.nat(),
  value: fc.oneof(fc.constantFrom(...ODD_VALUES), fc.string(), fc.integer(), fc.double()),
});
const textEdit: fc.Arbitrary<TextEdit> = fc.record({
  op: fc.constantFrom("deleteLine", "duplicateLine", "truncate", "insert"),
  at: fc.nat(),
  text: fc.oneof(fc.constantFrom(...INSERTS), fc.string({ maxLength: 4 })),
});

function applyValueEdits(text: string, edits: ValueEdit[]): string {
  const document = parse(text) as Json;
  for (const edit of edits) {
    const all = slots(document);
    const slot = all[edit.at % Math.max(1, all.length)];
    if (!slot) continue;
    const parent = slot.parent as Record<string | number, unknown>;
    if (edit.op === "replace") parent[slot.key] = edit.value;
    else if (edit.op === "copy") {
      // Another value of the file, of the same kind: plausible edits that often still make a lab.
      const other = all[edit.from % all.length];
      const value = other ? (other.parent as Record<string | number, unknown>)[other.key] : undefined;
      if (typeof value === typeof parent[slot.key]) parent[slot.key] = structuredClone(value);
    } else if (edit.op === "delete") {
      if (Array.isArray(parent)) parent.splice(Number(slot.key), 1);
      else delete parent[slot.key];
    } else if (Array.isArray(parent)) parent.push(structuredClone(parent[slot.key]));
    else parent[`${String(slot.key)}2`] = structuredClone(parent[slot.key]);
  }
  return stringify(document);
}

function applyTextEdits(text: string, edits: TextEdit[]): string {
  let result = text;
  for (const edit of edits) {
    const lines = result.split("\n");
    const line = edit.at % Math.max(1, lines.length);
    if (edit.op === "deleteLine") lines.splice(line, 1);
    else if (edit.op === "duplicateLine") lines.splice(line, 0, lines[line] ?? "");
    if (edit.op === "deleteLine" || edit.op === "duplicateLine") result = lines.join("\n");
    else if (edit.op === "truncate") result = result.slice(0, edit.at % (result.length + 1));
    else {
      const at = edit.at % (result.length + 1);
      result = result.slice(0, at) + edit.text + result.slice(at);
    }
  }
  return result;
}

const labText = fc
  .record({
    example: fc.constantFrom(...EXAMPLES),
    values: fc.array(valueEdit, { maxLength: 3 }),
    // Text edits break the YAML more often than not: half of the cases keep the text whole, so that
    // many mutated labs still parse and their renders are checked against the schemas.
    texts: fc.oneof(fc.constant<TextEdit[]>([]), fc.array(textEdit, { minLength: 1, maxLength: 3 })),
  })
  .filter(({ values, texts }) => values.length + texts.length > 0)
  .map(({ example, values, texts }) => {
    const base = exampleText(example);
    return applyTextEdits(values.length > 0 ? applyValueEdits(base, values) : base, texts);
  });

/** A failure must be located problems: file:line:col inside the file, and a message. */
function expectLocated(error: unknown, text: string): void {
  if (!(error instanceof InputError)) throw error;
  expect(error.problems.length).toBeGreaterThan(0);
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const problem of error.problems) {
    expect(problem.file).toBe("lab.yaml");
    expect(Number.isInteger(problem.line) && problem.line >= 1 && problem.line <= lines + 1).toBe(true);
    expect(Number.isInteger(problem.col) && problem.col >= 1).toBe(true);
    expect(problem.message.length).toBeGreaterThan(0);
  }
  for (const line of error.message.split("\n")) expect(line).toMatch(/^lab\.yaml:\d+:\d+: |^… and \d+ more/);
}

/** Every target's output: objects the upstream schemas accept, files with relative, plain paths. */
function expectValidRenders(lab: Lab, text: string): void {
  for (const name of TARGETS) {
    let output: ReturnType<NonNullable<ReturnType<typeof findTarget>>["render"]>;
    try {
      output = findTarget(name)?.render(lab, {}) ?? { objects: [], files: [] };
    } catch (error) {
      expectLocated(error, text);
      continue;
    }
    for (const object of output.objects) expect(upstreamSchemas().errors(object), name).toEqual([]);
    for (const file of output.files) expect(file.path.split("/"), file.path).not.toContain("..");
  }
}

describe("mutated lab files", () => {
  it(
    `give located problems or valid objects, never a stack trace (${RUNS} runs, seed ${SEED})`,
    () => {
      upstreamSchemas(); // compiled once, before the runs are timed
      const outcomes = { refused: 0, rendered: 0 };
      fc.assert(
        fc.property(labText, (text) => {
          let lab: Lab;
          try {
            lab = parseModel(text, "lab.yaml");
          } catch (error) {
            expectLocated(error, text);
            outcomes.refused++;
            return;
          }
          outcomes.rendered++;
          try {
            runLint(lab);
          } catch (error) {
            expectLocated(error, text);
          }
          expectValidRenders(lab, text);
        }),
        { numRuns: RUNS, seed: SEED },
      );
      // Both halves of the property are exercised: the mutations are neither all fatal nor all harmless.
      expect(outcomes.refused, JSON.stringify(outcomes)).toBeGreaterThan(RUNS / 10);
      expect(outcomes.rendered, JSON.stringify(outcomes)).toBeGreaterThan(RUNS / 10);
    },
    Math.max(120_000, RUNS * 40),
  );
});
