// docs/lint.md documents every rule: one table row and one section per id, with its severity.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../../src/lint/rules/index.js";
import { repoRoot } from "../support/labs.js";

const docs = readFileSync(resolve(repoRoot, "docs/lint.md"), "utf8");

describe("docs/lint.md", () => {
  it.each(RULES.map((rule) => [rule.id, rule.severity] as const))("documents %s as %s", (id, severity) => {
    expect(docs).toMatch(new RegExp(`^\\| ${id} \\| ${severity} +\\|`, "m"));
    expect(docs).toMatch(new RegExp(`^### ${id} — .* \\(${severity}\\)$`, "m"));
  });

  it("documents no rule that does not exist", () => {
    const documented = [...docs.matchAll(/^### (GV\d{3})/gm)].map((match) => match[1]);
    expect(documented).toEqual(RULES.map((rule) => rule.id));
  });
});
