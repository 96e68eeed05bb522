// gpuvm schema: the lab file's JSON Schema, for editors (yaml-language-server's `# yaml-language-server: $schema=`).
import type { Command } from "commander";
import { labJsonSchema } from "../config/json-schema.js";
import type { Io } from "./io.js";

export function registerSchema(program: Command, io: Io): void {
  program
    .command("schema")
    .description("print the JSON Schema of the lab file, for editors")
    .action(() => {
      io.out(`${JSON.stringify(labJsonSchema(), null, 2)}\n`);
    });
}
