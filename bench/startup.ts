// Start-up benchmark: how long the built CLI (bin/gpuvm.js, as users run it) takes from spawn to exit,
// against Node's own floor (`node -e 0`) measured in the same run, and each process's peak RSS.
// Every round runs every case once, in turn, so load on the machine falls on all cases alike; the
// figures are medians over the rounds. Targets: --version and --help within 50 ms of Node's start,
// validate and render of examples/homelab.yaml within 250 ms of it.
// Run: npm run bench:startup [-- --runs 30] [-- --check]   (--check exits 1 when a target is missed)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin/gpuvm.js");
const lab = join(root, "examples/homelab.yaml");

const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 20;
const check = args.includes("--check");
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a whole number of rounds");
if (!existsSync(join(root, "dist"))) throw new Error("no dist/: run npm run build first");

interface Case {
  name: string;
  argv: string[];
  /** Allowed milliseconds over `node -e 0`; undefined for the baseline itself. */
  budgetMs?: number;
}

const cases: Case[] = [
  { name: "node -e 0", argv: ["-e", "0"] },
  { name: "gpuvm --version", argv: [bin, "--version"], budgetMs: 50 },
  { name: "gpuvm --help", argv: [bin, "--help"], budgetMs: 50 },
  { name: "gpuvm validate homelab", argv: [bin, "validate", "-f", lab], budgetMs: 250 },
  { name: "gpuvm render homelab", argv: [bin, "render", "-f", lab], budgetMs: 250 },
];

// Every process, the baseline included, loads this probe first: on exit it writes its peak RSS to a
// file, so RSS is each process's own (not the benchmark's) and the probe's small cost is the same for all.
const scratch = mkdtempSync(join(tmpdir(), "gpuvm-startup-"));
const probe = join(scratch, "rss-probe.mjs");
writeFileSync(
  probe,
  `import { writeFileSync } from "node:fs";
process.on("exit", () => writeFileSync(process.env.GPUVM_BENCH_RSS, String(process.resourceUsage().maxRSS)));
`,
);
const rssFile = join(scratch, "rss");

function runOnce(c: Case): { ms: number; rssMB: number } {
  const started = performance.now();
  const result = spawnSync(process.execPath, ["--import", probe, ...c.argv], {
    cwd: root,
    env: { ...process.env, GPUVM_BENCH_RSS: rssFile, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`${c.name} exited ${result.status ?? result.signal}: ${result.stderr.toString()}`);
  }
  return { ms, rssMB: Number(readFileSync(rssFile, "utf8")) / 1024 };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const samples = new Map(cases.map((c) => [c.name, { ms: [] as number[], rss: [] as number[] }]));
try {
  for (const c of cases) runOnce(c); // warm the file cache outside the figures
  for (let round = 0; round < runs; round++) {
    // Rotate the order so that no case always runs right after the same one.
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(round + i) % cases.length] as Case;
      const { ms, rssMB } = runOnce(c);
      const s = samples.get(c.name);
      s?.ms.push(ms);
      s?.rss.push(rssMB);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const base = median(samples.get("node -e 0")?.ms ?? []);
console.log(`gpuvm start-up, node ${process.version}, medians of ${runs} runs\n`);
console.log(
  `${"case".padEnd(24)} ${"median".padStart(9)} ${"over node".padStart(10)} ${"ratio".padStart(6)} ${"peak RSS".padStart(9)}  target`,
);
let missed = 0;
for (const c of cases) {
  const s = samples.get(c.name);
  const ms = median(s?.ms ?? []);
  const rss = median(s?.rss ?? []);
  const over = ms - base;
  let target = "";
  if (c.budgetMs !== undefined) {
    const ok = over <= c.budgetMs;
    if (!ok) missed++;
    target = `${ok ? "ok" : "MISSED"} (within ${c.budgetMs} ms)`;
  }
  console.log(
    `${c.name.padEnd(24)} ${`${ms.toFixed(0)} ms`.padStart(9)} ${(c.budgetMs === undefined ? "" : `+${over.toFixed(0)} ms`).padStart(10)} ${`${(ms / base).toFixed(2)}x`.padStart(6)} ${`${rss.toFixed(0)} MB`.padStart(9)}  ${target}`,
  );
}
if (check && missed > 0) process.exitCode = 1;
