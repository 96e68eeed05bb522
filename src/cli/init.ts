// gpuvm init [FILE]: a commented starter lab file, or with --from-host one whose hosts section is this
// host's scan, and gpuvm.schema.json beside it (the schema the file's first line points editors at).
// Never overwrites without --force; writes through emit/atomic (no half files, no writing through links).
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { STARTER_LAB } from "../config/starter.js";
import { FileExistsError, writeFileAtomic } from "../emit/atomic.js";
import { labFromScan } from "../host/from-host.js";
import { scanHost } from "../host/scan.js";
import { type Io, UsageError } from "./io.js";
import { SCHEMA_FILE, schemaText } from "./schema.js";

/** Writes the schema beside the lab, unless the same one is there; says why when it did not. */
async function writeSchema(path: string, force: boolean): Promise<{ wrote: boolean; problem?: string }> {
  const text = schemaText();
  try {
    await writeFileAtomic(path, text, { overwrite: force });
    return { wrote: true };
  } catch (error) {
    if (!(error instanceof FileExistsError)) {
      return {
        wrote: false,
        problem: `did not write ${path}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if ((await readFile(path, "utf8").catch(() => undefined)) === text) return { wrote: false };
    return {
      wrote: false,
      problem: `kept ${path}, which differs from this gpuvm's schema; refresh it with gpuvm schema > ${path}, or init --force`,
    };
  }
}

export function registerInit(program: Command, io: Io): void {
  program
    .command("init")
    .description(`write a commented starter lab file, and ${SCHEMA_FILE} beside it for editors`)
    .argument("[file]", "where to write it", "lab.yaml")
    .option("--force", `overwrite an existing file (the lab file and ${SCHEMA_FILE})`)
    .option("--from-host", "fill the hosts section from this host's GPUs, IOMMU groups, CPUs and memory")
    .option("--root <dir>", "with --from-host: scan DIR as / instead of this host", "/")
    .action(async (file: string, flags: { force?: boolean; fromHost?: boolean; root: string }) => {
      const force = flags.force === true;
      const text = flags.fromHost ? labFromScan(scanHost({ root: flags.root })) : STARTER_LAB;
      try {
        await writeFileAtomic(file, text, { overwrite: force });
      } catch (error) {
        if (error instanceof FileExistsError) {
          throw new UsageError(`${file} exists already; use --force to overwrite it`);
        }
        throw error;
      }
      const schema = join(dirname(file), SCHEMA_FILE);
      const { wrote, problem } = await writeSchema(schema, force);
      if (problem) io.err(`gpuvm: ${problem}\n`);
      io.out(`wrote ${file}${wrote ? ` and ${schema}` : ""}; next: gpuvm validate -f ${file}\n`);
    });
}
