// What of YAML a lab file may use. A lab is plain YAML 1.2 data: mappings, lists and core-schema
// scalars. Everything else the YAML library would read is refused here, with the place it sits:
// - tags (!!set, !!omap, !!binary, !!timestamp, !custom): they turn values into Sets, Maps, Buffers
//   or Dates, which pass the schema's key checks and silently drop what they hold;
// - %YAML directives other than 1.2 and %TAG directives: YAML 1.1 brings yes/no booleans, merge keys
//   and the tags above back in;
// - merge keys (<<): YAML 1.1 only; in 1.2 they are a key called "<<";
// - a key twice in one mapping (which value would count?), or a key that is a mapping or a list;
// - aliases that cannot be resolved, that point at something holding aliases itself, or that
//   together repeat more text than the file holds: expansion stays bounded by the file's own size;
// - nesting deeper than any lab needs (composing recurses per level and would fail on it).
import { type Document, isAlias, isCollection, isMap, isPair, isScalar, type Node } from "yaml";

/** A refusal at a character offset of the text; load.ts turns offsets into line:col. */
export interface YamlRefusal {
  offset: number;
  message: string;
}

/** The core-schema tags: writing them changes nothing a plain scalar or collection could not say. */
const CORE_TAGS = new Set(["!!str", "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq"]);

/** Deeper than this is no lab (a lab nests about 8 levels); the parser recurses per level. */
export const MAX_DEPTH = 64;

const COLLECTIONS = new Set(["block-map", "block-seq", "flow-collection"]);

/**
 * Tags, directives and nesting, found in the parser's tokens: where their own offsets are known, and
 * before the documents are composed (composing recurses once per level, so a file nested thousands
 * deep would fail there at a place that depends on the stack size).
 */
export function refuseInTokens(tokens: readonly unknown[]): { refusals: YamlRefusal[]; tooDeep: boolean } {
  const refusals: YamlRefusal[] = [];
  let tooDeep = false;
  // An explicit stack (a token tree can be as deep as the file is long), as two arrays: this walk
  // sees every token of a file up to 4 MiB, so it allocates nothing per token.
  const stack: unknown[] = [...tokens];
  const depths: number[] = tokens.map(() => 0);
  while (stack.length > 0) {
    const token = stack.pop();
    let depth = depths.pop() ?? 0;
    if (token === null || typeof token !== "object") continue;
    if (Array.isArray(token)) {
      for (const item of token) {
        stack.push(item);
        depths.push(depth);
      }
      continue;
    }
    const { type, offset, source } = token as { type?: unknown; offset?: unknown; source?: unknown };
    if (typeof type === "string" && COLLECTIONS.has(type)) {
      depth += 1;
      if (depth > MAX_DEPTH) {
        tooDeep = true;
        refusals.push({
          offset: typeof offset === "number" ? offset : 0,
          message: `YAML nests more than ${MAX_DEPTH} levels deep here; a lab file needs about 8`,
        });
        continue;
      }
    }
    if (typeof offset === "number" && typeof source === "string") {
      if (type === "tag" && !CORE_TAGS.has(source)) {
        refusals.push({
          offset,
          message: `YAML tag ${source} is not accepted: a lab file holds plain mappings, lists and scalars (remove the tag)`,
        });
      } else if (type === "directive" && !/^%YAML[ \t]+1\.2([ \t]|$)/.test(source)) {
        const what = source.startsWith("%YAML") ? "only YAML 1.2 is read" : "a lab file uses no tags";
        refusals.push({ offset, message: `YAML directive "${source}" is not accepted: ${what}` });
      }
    }
    const fields = token as Record<string, unknown>;
    for (const field in fields) {
      const value = fields[field];
      if (value !== null && typeof value === "object") {
        stack.push(value);
        depths.push(depth);
      }
    }
  }
  return { refusals: refusals.sort((a, b) => a.offset - b.offset), tooDeep };
}

function startOf(node: { range?: [number, number, number] | null | undefined }): number {
  return node.range?.[0] ?? 0;
}

/** Aliases and merge keys, found in the composed document (whose nesting refuseInTokens bounded). */
export function refuseDocumentShapes(doc: Document, textLength: number): YamlRefusal[] {
  const refusals: YamlRefusal[] = [];
  const aliases: { node: Node; source: string }[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) {
      aliases.push({ node, source: node.source });
      continue;
    }
    if (!isCollection(node)) continue;
    // Duplicate keys are found here, through a set per mapping: the library's own check compares each
    // key with every earlier one, which made a lab of 16,000 VMs take half a minute to read.
    const keys = isMap(node) ? new Set<string>() : undefined;
    for (const item of node.items) {
      if (isPair(item)) {
        if (keys && isScalar(item.key)) {
          // The library's notion of equal keys: same scalar value (1 and "1" differ).
          const key = `${typeof item.key.value}:${String(item.key.value)}`;
          if (keys.has(key))
            refusals.push({
              offset: startOf(item.key),
              message: "YAML: a key appears twice in this mapping",
            });
          keys.add(key);
        }
        if (item.key !== null && !isScalar(item.key)) {
          // A mapping or list as a key (or an alias standing for one) has no name the schema knows.
          refusals.push({
            offset: startOf(item.key as Node),
            message: "YAML: a key must be a plain name, not a mapping, a list or an alias",
          });
        }
        if (isMap(node) && isScalar(item.key) && item.key.value === "<<") {
          refusals.push({
            offset: startOf(item.key),
            message:
              "merge keys (<<) are YAML 1.1, which gpuvm does not read: write the keys out, or alias the whole mapping",
          });
        }
        stack.push(item.key, item.value);
      } else {
        stack.push(item);
      }
    }
  }
  return [...refusals, ...refuseAliases(doc, aliases, textLength)].sort((a, b) => a.offset - b.offset);
}

/** True when `node` holds an alias anywhere below it. */
function holdsAlias(node: unknown): boolean {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (isAlias(current)) return true;
    if (isPair(current)) stack.push(current.key, current.value);
    else if (isCollection(current)) for (const item of current.items) stack.push(item);
  }
  return false;
}

function refuseAliases(
  doc: Document,
  aliases: { node: Node; source: string }[],
  textLength: number,
): YamlRefusal[] {
  const refusals: YamlRefusal[] = [];
  let repeated = 0;
  const checked = new Map<unknown, boolean>();
  // Document order, so that the first offending alias is the one reported.
  aliases.sort((a, b) => startOf(a.node) - startOf(b.node));
  for (const { node, source } of aliases) {
    const offset = startOf(node);
    const target = isAlias(node) ? node.resolve(doc) : undefined;
    if (!target) {
      refusals.push({ offset, message: `YAML alias *${source} has no anchor &${source} before it` });
      continue;
    }
    repeated += Math.max(0, (target.range?.[1] ?? 0) - (target.range?.[0] ?? 0));
    if (repeated > textLength) {
      refusals.push({
        offset,
        message: "YAML aliases here repeat more text than the whole file holds: write the values out",
      });
      break;
    }
    let nested = checked.get(target);
    if (nested === undefined) {
      nested = holdsAlias(target);
      checked.set(target, nested);
    }
    if (nested) {
      refusals.push({
        offset,
        message: `YAML alias *${source} points at a value that holds aliases itself: gpuvm expands aliases one level only`,
      });
    }
  }
  return refusals;
}
