// scripts/install's fallback: which lock-file changes `npm install` may make without changing what this
// machine installs. Fragments of real lock entries, on a fixed platform.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareLocks, isOtherPlatformOptional, type Lock } from "../../scripts/lock-drift.mjs";
import { repoRoot } from "../support/labs.js";
import { tempDir, tempFile } from "../support/temp.js";

const linuxX64 = { os: "linux", cpu: "x64", libc: "glibc" };

const biome = {
  version: "2.6.8",
  resolved: "https://registry.npmjs.org/@biomejs/biome/-/biome-2.6.8.tgz",
  integrity: "sha512-biome",
  dev: true,
  optionalDependencies: { "@biomejs/cli-linux-x64": "2.6.8", "@biomejs/cli-win32-arm64": "2.6.8" },
};
const biomeLinux = {
  version: "2.6.8",
  integrity: "sha512-linux",
  cpu: ["x64"],
  os: ["linux"],
  libc: ["glibc"],
  optional: true,
  dev: true,
};
const biomeWindowsArm = {
  version: "2.6.8",
  integrity: "sha512-win",
  cpu: ["arm64"],
  os: ["win32"],
  optional: true,
};
const biomeMusl = { ...biomeLinux, integrity: "sha512-musl", libc: ["musl"] };

function lock(packages: Record<string, object>): Lock {
  return { lockfileVersion: 3, packages: { "": { name: "gpuvm", version: "0.1.0" }, ...packages } };
}

const committed = lock({
  "node_modules/@biomejs/biome": biome,
  "node_modules/@biomejs/cli-linux-x64": biomeLinux,
});

describe("lock drift after npm install", () => {
  it("accepts a lock that gained another platform's optional package", () => {
    const after = lock({ ...committed.packages, "node_modules/@biomejs/cli-win32-arm64": biomeWindowsArm });
    expect(compareLocks(committed, after, linuxX64)).toEqual({
      refused: [],
      tolerated: ["gained @biomejs/cli-win32-arm64"],
    });
  });

  it("accepts a lock that lost another platform's optional package", () => {
    const before = lock({ ...committed.packages, "node_modules/@biomejs/cli-linux-x64-musl": biomeMusl });
    expect(compareLocks(before, committed, linuxX64)).toEqual({
      refused: [],
      tolerated: ["lost @biomejs/cli-linux-x64-musl"],
    });
  });

  it("refuses a changed version of a package this machine installs, naming it", () => {
    const after = lock({
      ...committed.packages,
      "node_modules/@biomejs/biome": { ...biome, version: "2.6.9", integrity: "sha512-other" },
    });
    expect(compareLocks(committed, after, linuxX64).refused).toEqual([
      "@biomejs/biome: version 2.6.8 -> 2.6.9, integrity sha512-biome -> sha512-other",
    ]);
  });

  it("refuses losing this platform's own optional package", () => {
    const after = lock({ "node_modules/@biomejs/biome": biome });
    expect(compareLocks(committed, after, linuxX64).refused).toEqual([
      "@biomejs/cli-linux-x64: no longer in the lock file (was 2.6.8)",
    ]);
  });

  it("refuses a gained package that is not optional, even with os/cpu", () => {
    const after = lock({
      ...committed.packages,
      "node_modules/fsevents": { ...biomeWindowsArm, optional: false },
    });
    expect(compareLocks(committed, after, linuxX64).refused).toEqual([
      "fsevents: added to the lock file (2.6.8)",
    ]);
  });

  it("matches os, cpu and libc as npm does", () => {
    expect(isOtherPlatformOptional(biomeLinux, linuxX64)).toBe(false);
    expect(isOtherPlatformOptional(biomeMusl, linuxX64)).toBe(true);
    expect(isOtherPlatformOptional(biomeWindowsArm, linuxX64)).toBe(true);
    expect(isOtherPlatformOptional({ optional: true, os: ["!win32"] }, linuxX64)).toBe(false);
    expect(isOtherPlatformOptional({ optional: true, os: ["!linux"] }, linuxX64)).toBe(true);
    // libc applies on Linux only.
    expect(isOtherPlatformOptional(biomeMusl, { os: "darwin", cpu: "x64", libc: undefined })).toBe(true);
  });

  it("exits 0 for the same lock, 3 when only other platforms differ, 1 naming a refused package", () => {
    const script = `${repoRoot}/scripts/lock-drift.mjs`;
    const run = (before: Lock, after: Lock) => {
      const a = tempFile("before.json", JSON.stringify(before));
      const b = tempFile("after.json", JSON.stringify(after));
      try {
        execFileSync(process.execPath, [script, a, b], { stdio: "pipe" });
        return { code: 0, stderr: "" };
      } catch (error: any) {
        return { code: error.status as number, stderr: String(error.stderr) };
      }
    };
    expect(run(committed, committed).code).toBe(0);
    const gained = lock({ ...committed.packages, "node_modules/@biomejs/cli-win32-arm64": biomeWindowsArm });
    expect(run(committed, gained).code).toBe(3);
    const changed = lock({
      ...committed.packages,
      "node_modules/@biomejs/biome": { ...biome, version: "2.7.0" },
    });
    expect(run(committed, changed)).toEqual({
      code: 1,
      stderr: "install: @biomejs/biome: version 2.6.8 -> 2.7.0\n",
    });
  });
});

describe("scripts/install when npm ci refuses the lock file", () => {
  // A copy of the scripts in a scratch project, with an `npm` on PATH whose `ci` refuses and whose
  // `install` rewrites the lock file as a registry serving other packages would.
  function install(rewrite: (lock: Lock) => Lock) {
    const project = tempDir("gpuvm-install-");
    mkdirSync(join(project, "scripts"));
    for (const file of ["install", "lock-drift.mjs"]) {
      copyFileSync(join(repoRoot, "scripts", file), join(project, "scripts", file));
    }
    const lockPath = join(project, "package-lock.json");
    const text = `${JSON.stringify(committed, null, 2)}\n`;
    writeFileSync(lockPath, text);
    writeFileSync(join(project, "after.json"), JSON.stringify(rewrite(committed)));
    const bin = join(project, "bin");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "npm"),
      `#!/bin/sh\n[ "$1" = ci ] && exit 1\ncp "${project}/after.json" package-lock.json\n`,
    );
    chmodSync(join(bin, "npm"), 0o755);
    const r = spawnSync("bash", [join(project, "scripts", "install")], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });
    return { code: r.status, stderr: r.stderr, lockUnchanged: readFileSync(lockPath, "utf8") === text };
  }

  it("succeeds and puts the committed lock back when only other platforms' optional entries changed", () => {
    const r = install((l) =>
      lock({ ...l.packages, "node_modules/@biomejs/cli-win32-arm64": biomeWindowsArm }),
    );
    expect(r.stderr).toContain(
      "only other platforms' optional packages differ (1: gained @biomejs/cli-win32-arm64)",
    );
    expect(r).toMatchObject({ code: 0, lockUnchanged: true });
  });

  it("fails naming the package when a version this machine installs changed", () => {
    const r = install((l) =>
      lock({ ...l.packages, "node_modules/@biomejs/biome": { ...biome, version: "2.7.0" } }),
    );
    expect(r.stderr).toContain("install: @biomejs/biome: version 2.6.8 -> 2.7.0");
    expect(r.code).toBe(1);
  });
});
