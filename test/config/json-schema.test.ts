import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { labJsonSchema } from "../../src/config/json-schema.js";
import { STARTER_LAB } from "../../src/config/starter.js";
import { EXAMPLES, exampleText, repoRoot } from "../support/labs.js";

describe("the lab file's JSON Schema (for editors)", () => {
  const schema = labJsonSchema();

  it("is the one shipped beside the examples (regenerate with `gpuvm schema > examples/gpuvm.schema.json`)", () => {
    const shipped = JSON.parse(readFileSync(resolve(repoRoot, "examples/gpuvm.schema.json"), "utf8"));
    expect(shipped).toEqual(schema);
  });

  it("accepts every example and the starter, and rejects an unknown key as an editor would", () => {
    const ajv = new Ajv({ strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    for (const name of EXAMPLES) expect(validate(parse(exampleText(name))), name).toBe(true);
    expect(validate(parse(STARTER_LAB))).toBe(true);
    const broken = parse(exampleText("homelab"));
    broken.vms.gaming.modes.live.cpus = 4;
    expect(validate(broken)).toBe(false);
  });
});
