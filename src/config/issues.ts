// Turns zod's issues into located, readable problems: what was expected, what was found, where.
import type { core, ZodType } from "zod";
import { dottedPath, type Problem } from "./problem.js";
import type { LabPath, LabSource } from "./source.js";
import { closest, didYouMean } from "./suggest.js";

type Issue = core.$ZodIssue;
type Def = { type: string; [key: string]: unknown };

function defOf(schema: unknown): Def | undefined {
  return (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

/** Steps through wrappers (optional, default, …) to the schema that gives a value its shape. */
function unwrap(schema: unknown): unknown {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (!def) return current;
    if (
      ["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"].includes(def.type)
    ) {
      current = def.innerType;
    } else if (def.type === "pipe") {
      current = def.in;
    } else {
      return current;
    }
  }
}

/** The keys the schema knows at `path`, for "did you mean". */
export function knownKeys(schema: ZodType, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  for (const segment of path) {
    const def = defOf(unwrap(current));
    if (def?.type === "object") current = (def.shape as Record<string, unknown>)[String(segment)];
    else if (def?.type === "record") current = def.valueType;
    else if (def?.type === "array") current = def.element;
    else return [];
  }
  const def = defOf(unwrap(current));
  if (def?.type === "object") return Object.keys(def.shape as Record<string, unknown>);
  if (def?.type === "record") {
    const keyDef = defOf(unwrap(def.keyType));
    if (keyDef?.type === "enum") return Object.values(keyDef.entries as Record<string, string>);
  }
  return [];
}

const MAX_QUOTED = 60;

/** How a found value reads in a message. */
export function describeFound(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (typeof value === "string") {
    // A found value is quoted to show what was read, not to reprint a long paste.
    if (value.length <= MAX_QUOTED) return JSON.stringify(value);
    return `${JSON.stringify(value.slice(0, MAX_QUOTED))}… (${value.length} characters)`;
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return typeof value;
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a mapping",
  record: "a mapping",
  array: "a list",
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function messageFor(issue: Issue, found: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      if (found === undefined)
        return `is required (expected ${TYPE_WORDS[issue.expected] ?? issue.expected})`;
      return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, found ${describeFound(found)}`;
    case "invalid_value": {
      const allowed = issue.values.map((value) => JSON.stringify(value));
      const list = allowed.length === 1 ? allowed[0] : `one of ${allowed.join(", ")}`;
      const hint =
        typeof found === "string" && allowed.length > 1 ? didYouMean(found, issue.values.map(String)) : "";
      return `expected ${list}, found ${describeFound(found)}${hint}`;
    }
    case "too_big":
    case "too_small": {
      const bound = issue.code === "too_big" ? issue.maximum : issue.minimum;
      const word = issue.code === "too_big" ? "at most" : "at least";
      if (issue.origin === "array") return `must list ${word} ${bound} item${bound === 1 ? "" : "s"}`;
      if (issue.origin === "string") return `${issue.message} (found ${describeFound(found)})`;
      return `must be ${word} ${bound}, found ${describeFound(found)}`;
    }
    case "custom":
      return issue.message;
    default:
      return found === undefined ? issue.message : `${issue.message}, found ${describeFound(found)}`;
  }
}

/** Located problems for one zod issue (several for unknown keys: one per key). */
function problemsFor(issue: Issue, input: unknown, schema: ZodType, source: LabSource): Problem[] {
  const path = issue.path as LabPath;
  if (issue.code === "unrecognized_keys") {
    const known = knownKeys(schema, issue.path);
    return issue.keys.map((key) => {
      const keyPath = [...path, key];
      return {
        ...source.locate(keyPath, { key: true }),
        path: dottedPath(keyPath),
        message: `unknown key "${key}"${didYouMean(key, known)}`,
      };
    });
  }
  if (issue.code === "invalid_key") {
    const key = String(issue.path.at(-1) ?? "");
    const inner = issue.issues[0];
    const reason = inner ? inner.message : issue.message;
    return [
      { ...source.locate(path, { key: true }), path: dottedPath(path), message: `name "${key}" ${reason}` },
    ];
  }
  const found = valueAt(input, issue.path);
  return [{ ...source.locate(path), path: dottedPath(path), message: messageFor(issue, found) }];
}

/**
 * Located problems for all issues of one parse. A misspelt required key yields two zod issues
 * ("capacty" unknown, "capacity" missing); the user made one mistake, so only the first is kept.
 */
export function problemsForIssues(
  issues: Issue[],
  input: unknown,
  schema: ZodType,
  source: LabSource,
): Problem[] {
  const misspelt = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const known = knownKeys(schema, issue.path);
    for (const key of issue.keys) {
      const meant = closest(key, known);
      if (meant) misspelt.add(dottedPath([...(issue.path as LabPath), meant]));
    }
  }
  return issues
    .filter((issue) => !(issue.code === "invalid_type" && misspelt.has(dottedPath(issue.path as LabPath))))
    .flatMap((issue) => problemsFor(issue, input, schema, source));
}
