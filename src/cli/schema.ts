// gpuvm schema: the lab file's JSON Schema, for editors (yaml-language-server's `# yaml-language-server: $schema=`).
// `gpuvm init` writes the same text to gpuvm.schema.json beside the lab file it creates.
import type { Command } from "commander";
import { labJsonSchema } from "../config/json-schema.js";
import type { Io } from "./io.js";

export const SCHEMA_FILE = "gpuvm.schema.json";

export function schemaText(): string {
  return `${JSON.stringify(labJsonSchema(), null, 2)}\n`;
}

export function registerSchema(program: Command, io: Io): void {
  program
    .command("schema")
    .description(`print the JSON Schema of the lab file, for editors (gpuvm schema > ${SCHEMA_FILE})`)
    .action(() => {
      io.out(schemaText());
    });
}
