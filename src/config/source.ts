// Where things are in the lab file: paths (["vms","gaming","modes","live","cpu"]) to line:column.
import {
  type Document,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type YAMLMap,
} from "yaml";

export type LabPath = readonly (string | number)[];

export interface Location {
  file: string;
  line: number;
  col: number;
}

type YamlMap = YAMLMap<unknown, unknown>;
type YamlPair = YamlMap["items"][number];
const pairIndex = new WeakMap<YamlMap, Map<string, YamlPair>>();

/**
 * The pair of `map` whose scalar key reads `key`. Lint locates one finding per VM, so the pairs of a
 * mapping are indexed once: locating stays linear in the size of the lab, not quadratic.
 */
function pairOf(map: YamlMap, key: string): YamlPair | undefined {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const item of map.items) {
      const name = isScalar(item.key) ? String(item.key.value) : undefined;
      // The first pair wins, as the lookup by find() did (duplicate keys are refused before this).
      if (name !== undefined && !index.has(name)) index.set(name, item);
    }
    pairIndex.set(map, index);
  }
  return index.get(key);
}

export class LabSource {
  constructor(
    readonly file: string,
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter | undefined,
  ) {}

  /**
   * The location of the value at `path`; with `key: true`, of its key. A path that does not exist
   * (a missing required key) resolves to the deepest node that does.
   */
  locate(path: LabPath, options: { key?: boolean } = {}): Location {
    let node: unknown = this.doc?.contents;
    let offset = node && isNode(node) ? (node.range?.[0] ?? 0) : 0;
    for (const [index, segment] of path.entries()) {
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = pairOf(node, String(segment));
        if (!pair) break;
        if (last && options.key && isNode(pair.key)) {
          offset = pair.key.range?.[0] ?? offset;
          break;
        }
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof segment === "number") {
        node = node.items[segment];
      } else {
        break;
      }
      if (isPair(node)) node = (node as { value: unknown }).value;
      if (node && isNode(node) && node.range) offset = node.range[0];
      else break;
    }
    return this.at(offset);
  }

  /** The location of a character offset. */
  at(offset: number): Location {
    const position = this.lines?.linePos(offset) ?? { line: 1, col: 1 };
    return { file: this.file, line: position.line, col: position.col };
  }

  /** The YAML node at `path`, for callers (lint, patchers) that need more than a position. */
  node(path: LabPath): Node | undefined {
    const found = this.doc?.getIn(path, true);
    return isNode(found) ? found : undefined;
  }
}
