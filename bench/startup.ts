// Start-up benchmark: how long the built CLI (bin/gpuvm.js, as users run it) takes from spawn to exit,
// against Node's own floor (`node -e 0`) measured in the same run, and each process's peak RSS.
// Every round runs every case once, in turn, so load on the machine falls on all cases alike; the
// figures are medians over the rounds. Targets: --version and --help within 50 ms of Node's start,
// validate and render of examples/homelab.yaml within 250 ms of it.
// Run: npm run bench:startup [-- --runs 30] [--check] [--compare DIR]
//   --check exits 1 when a target is missed; --compare DIR also measures another built checkout of
//   gpuvm (DIR/bin/gpuvm.js, e.g. a `git worktree` of an older commit) in the same rounds, so a before
//   and after share the machine's load.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { median } from "./median.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin/gpuvm.js");
const lab = join(root, "examples/homelab.yaml");

const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 20;
const check = args.includes("--check");
const compareAt = args.indexOf("--compare");
const compare = compareAt >= 0 ? args[compareAt + 1] : undefined;
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a whole number of rounds");
if (!existsSync(join(root, "dist/gpuvm.js"))) throw new Error("no dist/gpuvm.js: run npm run build first");
if (compare !== undefined && !existsSync(join(compare, "bin/gpuvm.js"))) {
  throw new Error(`--compare ${compare}: no bin/gpuvm.js there`);
}

interface Case {
  name: string;
  argv: string[];
  /** Allowed milliseconds over `node -e 0`; undefined for the baseline itself. */
  budgetMs?: number;
}

/** The four commands, run through one checkout's launcher; `label` tells checkouts apart. */
const gpuvmCases = (launcher: string, label: string): Case[] => [
  { name: `${label}--version`, argv: [launcher, "--version"], budgetMs: 50 },
  { name: `${label}--help`, argv: [launcher, "--help"], budgetMs: 50 },
  { name: `${label}validate homelab`, argv: [launcher, "validate", "-f", lab], budgetMs: 250 },
  { name: `${label}render homelab`, argv: [launcher, "render", "-f", lab], budgetMs: 250 },
];

const cases: Case[] = [
  { name: "node -e 0", argv: ["-e", "0"] },
  ...gpuvmCases(bin, "gpuvm "),
  ...(compare === undefined ? [] : gpuvmCases(join(compare, "bin/gpuvm.js"), "compared ")),
];
if (compare !== undefined) console.log(`compared: ${compare}`);

// Every process, the baseline included, loads this probe first: on exit it writes its peak RSS and the
// CPU time it used to a file, so both are each process's own (not the benchmark's) and the probe's
// small cost is the same for all. CPU time is the steadier figure where other work shares the machine:
// wall time then includes the wait for a core.
const scratch = mkdtempSync(join(tmpdir(), "gpuvm-startup-"));
const probe = join(scratch, "rss-probe.mjs");
writeFileSync(
  probe,
  `import { writeFileSync } from "node:fs";
process.on("exit", () => {
  const usage = process.resourceUsage();
  writeFileSync(process.env.GPUVM_BENCH_USAGE, JSON.stringify([usage.maxRSS, usage.userCPUTime + usage.systemCPUTime]));
});
`,
);
const usageFile = join(scratch, "usage.json");

function runOnce(c: Case): { ms: number; cpuMs: number; rssMB: number } {
  const started = performance.now();
  const result = spawnSync(process.execPath, ["--import", probe, ...c.argv], {
    cwd: root,
    env: { ...process.env, GPUVM_BENCH_USAGE: usageFile, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`${c.name} exited ${result.status ?? result.signal}: ${result.stderr.toString()}`);
  }
  const [rssKB, cpuUs] = JSON.parse(readFileSync(usageFile, "utf8")) as [number, number];
  return { ms, cpuMs: cpuUs / 1000, rssMB: rssKB / 1024 };
}

const samples = new Map(
  cases.map((c) => [c.name, { ms: [] as number[], cpu: [] as number[], rss: [] as number[] }]),
);
try {
  for (const c of cases) runOnce(c); // warm the file cache outside the figures
  for (let round = 0; round < runs; round++) {
    // Rotate the order so that no case always runs right after the same one.
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(round + i) % cases.length] as Case;
      const { ms, cpuMs, rssMB } = runOnce(c);
      const s = samples.get(c.name);
      s?.ms.push(ms);
      s?.cpu.push(cpuMs);
      s?.rss.push(rssMB);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const baseline = samples.get("node -e 0");
const baseMs = median(baseline?.ms ?? []);
const baseCpu = median(baseline?.cpu ?? []);
const ms = (value: number) => `${value.toFixed(0)} ms`;
const over = (value: number, base: number) =>
  `${value >= base ? "+" : "-"}${Math.abs(value - base).toFixed(0)} ms`;
const columns = ["case", "wall", "over node", "ratio", "CPU", "over node", "peak RSS", "target"];
const widths = [25, 8, 10, 6, 8, 10, 9, 0];
const line = (cells: string[]) =>
  cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");

console.log(`gpuvm start-up: node ${process.version}, ${os.cpus().length} CPUs, medians of ${runs} rounds`);
console.log("(targets are on wall time over node -e 0; CPU time is user + system of the process)\n");
console.log(line(columns));
let missed = 0;
for (const c of cases) {
  const s = samples.get(c.name);
  const wall = median(s?.ms ?? []);
  const cpu = median(s?.cpu ?? []);
  let target = "";
  if (c.budgetMs !== undefined) {
    const ok = wall - baseMs <= c.budgetMs;
    if (!ok) missed++;
    target = `${ok ? "ok" : "MISSED"} (+${c.budgetMs} ms)`;
  }
  const isBase = c.budgetMs === undefined;
  console.log(
    line([
      c.name,
      ms(wall),
      isBase ? "" : over(wall, baseMs),
      `${(wall / baseMs).toFixed(2)}x`,
      ms(cpu),
      isBase ? "" : over(cpu, baseCpu),
      `${median(s?.rss ?? []).toFixed(0)} MB`,
      target,
    ]),
  );
}
console.log(
  `\nload average at the end: ${os
    .loadavg()
    .map((load) => load.toFixed(1))
    .join(" ")}`,
);
if (check && missed > 0) process.exitCode = 1;
