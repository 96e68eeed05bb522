/**
 * `npm run cluster:up` as a developer runs it: a fresh cluster with the simulator watching every
 * resource. Until an Established CRD's watch cache is filled, kube-apiserver refuses watches with 429
 * Too Many Requests; the cluster is reported up only once every CRD's cache is ready, and the
 * simulator retries a refused watch quietly, so a start where all is well prints nothing alarming.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../support/labs.js";

describe("npm run cluster:up", () => {
  it("starts, works and stops without watch errors", async () => {
    const child = spawn(join(repoRoot, "node_modules/.bin/tsx"), ["test/test-cluster/cli.ts"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      for (let i = 0; i < 1200 && !stdout.includes("Ctrl-C stops"); i++) {
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(stdout).toContain("Ctrl-C stops the cluster");
      // The simulator's watches start right after the banner; give any refusal time to show.
      await new Promise((resolve) => setTimeout(resolve, 5000));
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/Too Many Requests|watch .* ended|error/i);
    const dir = /cluster: +(\S+)\/cluster\.json/.exec(stdout)?.[1];
    expect(dir && existsSync(dir)).toBe(false);
  }, 180_000);
});
