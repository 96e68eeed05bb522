// The layering of src/ as a rule: imports only go down (docs/architecture.md), and no two files import
// each other through any chain. A new folder must be given its place here before it can be imported.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "..", "src");

/** Each top-level part of src/ and its layer: a part may import only parts of a lower layer. */
const LAYER: Record<string, number> = {
  errors: 0,
  terminal: 0,
  version: 0,
  doctor: 0,
  config: 1,
  model: 2,
  host: 3,
  render: 4,
  lint: 5,
  emit: 5,
  cluster: 6,
  engine: 7,
  web: 8,
  cli: 8,
};

const IMPORT =
  /(?:import|export)\s+(?:type\s+)?(?:[^"';]*?\sfrom\s+)?["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const deps = [...readFileSync(file, "utf8").matchAll(IMPORT)].map((match) =>
      resolve(dirname(file), (match[1] ?? match[2] ?? "").replace(/\.js$/, ".ts")),
    );
    graph.set(file, [...new Set(deps)]);
  }
  return graph;
}

const part = (file: string) => relative(SRC, file).split("/")[0]?.replace(/\.ts$/, "") ?? "";

/** The files of one import cycle, when there is one. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === "done") return undefined;
    if (state.get(file) === "open") return stack.slice(stack.indexOf(file));
    state.set(file, "open");
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      const cycle = graph.has(dep) ? visit(dep) : undefined;
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(file, "done");
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle.map((f) => relative(SRC, f));
  }
  return undefined;
}

describe("the import graph of src/", () => {
  const graph = importGraph();

  it("has no cycle between files", () => {
    expect(findCycle(graph)).toBeUndefined();
  });

  it("only imports down the layers", () => {
    const upward: string[] = [];
    for (const [file, deps] of graph) {
      for (const dep of deps) {
        const [from, to] = [part(file), part(dep)];
        if (from === to) continue;
        const [a, b] = [LAYER[from], LAYER[to]];
        if (a === undefined || b === undefined || b >= a)
          upward.push(`${relative(SRC, file)} -> ${relative(SRC, dep)}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
