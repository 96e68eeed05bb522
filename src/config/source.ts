// Where things are in the lab file: paths (["vms","gaming","modes","live","cpu"]) to line:column.
import { type Document, isMap, isNode, isPair, isScalar, isSeq, type LineCounter, type Node } from "yaml";

export type LabPath = readonly (string | number)[];

export interface Location {
  file: string;
  line: number;
  col: number;
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
        const pair = node.items.find(
          (item) => isScalar(item.key) && String(item.key.value) === String(segment),
        );
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
