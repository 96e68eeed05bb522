// The CLI as users run it: bin/gpuvm.js over the bundle `npm run build` writes (scripts/build.mjs), in
// a folder of its own. It must behave as the in-process CLI the other tests run from src/.
import { execFile } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { examplePath, repoRoot } from "../support/labs.js";
import { tempDir, tempFile } from "../support/temp.js";

const run = promisify(execFile);
const homelab = examplePath("homelab");
const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };

// Without node_modules: the commands that never reach a cluster must need nothing but the bundle.
const bare = tempDir("gpuvm-built-");
// With the installed packages, as after npm ci: the cluster commands load client-node and ws from there.
const installed = tempDir("gpuvm-built-");

beforeAll(async () => {
  await run(process.execPath, [join(repoRoot, "scripts/build.mjs"), join(bare, "dist")]);
  mkdirSync(join(bare, "bin"));
  copyFileSync(join(repoRoot, "bin/gpuvm.js"), join(bare, "bin/gpuvm.js"));
  copyFileSync(join(repoRoot, "package.json"), join(bare, "package.json"));
  cpSync(bare, installed, { recursive: true });
  symlinkSync(join(repoRoot, "node_modules"), join(installed, "node_modules"));
}, 60_000);

async function gpuvm(dir: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(dir, "bin/gpuvm.js"), ...args], {
      env: { ...process.env, GPUVM_DEBUG: "" },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("the built CLI", () => {
  it("prints the package's version", async () => {
    expect(await gpuvm(bare, "--version")).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("prints the same help as the CLI from src/", async () => {
    const built = await gpuvm(bare, "--help");
    expect(built.code).toBe(0);
    expect(built.stdout).toBe((await runCli("--help")).stdout);
  });

  it.each([
    ["validate", "-f", homelab],
    ["validate", "-f", homelab, "-o", "json"],
    ["render", "-f", homelab],
    ["render", "-f", homelab, "--target", "harvester", "-o", "json"],
    ["lint", "-f", homelab],
    ["schema"],
  ])("gpuvm %s … prints what the CLI from src/ prints", async (...args) => {
    const built = await gpuvm(bare, ...args);
    const inProcess = await runCli(...args);
    expect(built).toEqual(inProcess);
  });

  it("reports a broken lab file where it is broken, with exit 1 and no stack trace", async () => {
    const lab = tempFile("lab.yaml", "apiVersion: gpuvm/v1alpha1\nkind: Lab\nmetadata: { name: 7 }\n");
    const built = await gpuvm(bare, "validate", "-f", lab);
    expect(built.code).toBe(1);
    expect(built.stderr).toContain(`${lab}:`);
    expect(built.stderr).not.toMatch(/\n\s+at /);
  });

  it("says how to build when dist/ is missing", async () => {
    const empty = tempDir("gpuvm-built-");
    mkdirSync(join(empty, "bin"));
    copyFileSync(join(repoRoot, "bin/gpuvm.js"), join(empty, "bin/gpuvm.js"));
    const built = await gpuvm(empty, "--version");
    expect(built.code).toBe(1);
    expect(built.stderr).toBe("gpuvm: dist/gpuvm.js is missing: run `npm run build` (or `npm ci`) first\n");
  });

  // An API server nobody listens on: each command gets as far as its first request, which shows that
  // its code and the packages it loads on the way (client-node, ws) are found.
  it.each([
    ["status", "-f", homelab],
    ["console", "gaming", "-n", "gaming"],
  ])("gpuvm %s … reaches for the cluster with the installed packages", async (...args) => {
    const kubeconfig = tempFile(
      "kubeconfig",
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:1' } }]",
        "users: [{ name: u, user: { token: t } }]",
        "contexts: [{ name: x, context: { cluster: c, user: u } }]",
        "current-context: x",
        "",
      ].join("\n"),
    );
    const built = await gpuvm(installed, ...args, "--kubeconfig", kubeconfig);
    expect(built.code).toBe(1);
    expect(built.stderr).toContain("cannot reach the API server at https://127.0.0.1:1");
  });
});
