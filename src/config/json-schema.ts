// The lab file's JSON Schema, derived from the zod schema so the two can never disagree.
import { z } from "zod";
import { LabFileSchema } from "./schema.js";

export function labJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(LabFileSchema, { target: "draft-7", io: "input", unrepresentable: "any" });
  return { ...schema, title: "gpuvm lab file" };
}
