// gpuvm init [FILE]: a commented starter lab file. Never overwrites without --force.
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { STARTER_LAB } from "../config/starter.js";
import { type Io, UsageError } from "./io.js";

export function registerInit(program: Command, io: Io): void {
  program
    .command("init")
    .description("write a commented starter lab file")
    .argument("[file]", "where to write it", "lab.yaml")
    .option("--force", "overwrite an existing file")
    .action(async (file: string, flags: { force?: boolean }) => {
      try {
        await writeFile(file, STARTER_LAB, { flag: flags.force ? "w" : "wx" });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") {
          throw new UsageError(`${file} exists already; use --force to overwrite it`);
        }
        throw error;
      }
      io.out(`wrote ${file}; next: gpuvm validate -f ${file}\n`);
    });
}
