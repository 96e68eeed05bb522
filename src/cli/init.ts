// gpuvm init [FILE]: a commented starter lab file, or with --from-host one whose hosts section is this
// host's scan. Never overwrites without --force.
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { STARTER_LAB } from "../config/starter.js";
import { labFromScan } from "../host/from-host.js";
import { scanHost } from "../host/scan.js";
import { type Io, UsageError } from "./io.js";

export function registerInit(program: Command, io: Io): void {
  program
    .command("init")
    .description("write a commented starter lab file")
    .argument("[file]", "where to write it", "lab.yaml")
    .option("--force", "overwrite an existing file")
    .option("--from-host", "fill the hosts section from this host's GPUs, IOMMU groups, CPUs and memory")
    .option("--root <dir>", "with --from-host: scan DIR as / instead of this host", "/")
    .action(async (file: string, flags: { force?: boolean; fromHost?: boolean; root: string }) => {
      const text = flags.fromHost ? labFromScan(scanHost({ root: flags.root })) : STARTER_LAB;
      try {
        await writeFile(file, text, { flag: flags.force ? "w" : "wx" });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") {
          throw new UsageError(`${file} exists already; use --force to overwrite it`);
        }
        throw error;
      }
      io.out(`wrote ${file}; next: gpuvm validate -f ${file}\n`);
    });
}
