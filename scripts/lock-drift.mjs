// Compares package-lock.json before and after `npm install` (scripts/install's fallback when `npm ci`
// refuses the lock file) and says whether what THIS machine installs is still exactly what was pinned.
//
// A registry (a mirror, or the same registry later) may serve more or fewer of other platforms' optional
// native packages (biome's, esbuild's, rollup's per-OS binaries). npm then records more or fewer of those
// entries in the lock file; none of them is installed here, so that difference is harmless. Any other
// difference (a version, resolved URL or integrity of a package installed here, or a package gained or
// lost that is not another platform's optional one) means the install is not the pinned one.
//
//   node scripts/lock-drift.mjs BEFORE.json AFTER.json
//
// exits 0 when the lock files are the same, 3 when only other platforms' optional entries differ (the
// caller restores BEFORE), 1 with one line per refused difference otherwise. No dependencies: it runs
// before anything is installed for certain.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** This machine as npm matches `os`, `cpu` and `libc` (libc only on Linux, as npm does). */
export function currentPlatform() {
  let libc;
  if (process.platform === "linux") {
    const header = process.report?.getReport?.().header;
    libc = header?.glibcVersionRuntime ? "glibc" : "musl";
  }
  return { os: process.platform, cpu: process.arch, libc };
}

// npm's rule for os/cpu/libc lists: "!x" excludes x; any plain entry means "only these".
function allows(list, value) {
  if (!Array.isArray(list) || list.length === 0) return true;
  if (value === undefined) return true;
  if (list.includes(`!${value}`)) return false;
  const plain = list.filter((entry) => !entry.startsWith("!"));
  return plain.length === 0 || plain.includes(value);
}

/** True when the entry is optional and its os/cpu/libc rule out this platform: npm skips it here. */
export function isOtherPlatformOptional(entry, platform) {
  if (entry?.optional !== true) return false;
  if (!entry.os && !entry.cpu && !entry.libc) return false;
  return !(
    allows(entry.os, platform.os) &&
    allows(entry.cpu, platform.cpu) &&
    (platform.os !== "linux" || allows(entry.libc, platform.libc))
  );
}

function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

function packageName(key) {
  return key === "" ? "(the project itself)" : key.slice(key.lastIndexOf("node_modules/") + 13);
}

function describeChange(key, before, after) {
  const fields = ["version", "resolved", "integrity"].filter((field) => before[field] !== after[field]);
  if (fields.length === 0) return `${packageName(key)}: its lock entry changed (${key})`;
  return `${packageName(key)}: ${fields.map((f) => `${f} ${before[f] ?? "(none)"} -> ${after[f] ?? "(none)"}`).join(", ")}`;
}

/**
 * Compares two parsed lock files. `refused` lists, one line each naming the package, every difference
 * that changes what this platform installs; `tolerated` lists the other platforms' optional entries
 * gained or lost.
 */
export function compareLocks(before, after, platform = currentPlatform()) {
  const a = before?.packages ?? {};
  const b = after?.packages ?? {};
  const refused = [];
  const tolerated = [];
  if (before?.lockfileVersion !== after?.lockfileVersion) {
    refused.push(`lockfileVersion ${before?.lockfileVersion} -> ${after?.lockfileVersion}`);
  }
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const was = a[key];
    const now = b[key];
    if (was && now) {
      if (canonical(was) !== canonical(now)) refused.push(describeChange(key, was, now));
    } else if (was) {
      if (isOtherPlatformOptional(was, platform)) tolerated.push(`lost ${packageName(key)}`);
      else refused.push(`${packageName(key)}: no longer in the lock file (was ${was.version ?? "?"})`);
    } else {
      if (isOtherPlatformOptional(now, platform)) tolerated.push(`gained ${packageName(key)}`);
      else refused.push(`${packageName(key)}: added to the lock file (${now.version ?? "?"})`);
    }
  }
  return { refused, tolerated };
}

function main([beforePath, afterPath]) {
  if (!beforePath || !afterPath) {
    process.stderr.write("usage: node scripts/lock-drift.mjs BEFORE.json AFTER.json\n");
    return 2;
  }
  const read = (path) => JSON.parse(readFileSync(path, "utf8"));
  const { refused, tolerated } = compareLocks(read(beforePath), read(afterPath));
  if (refused.length > 0) {
    for (const line of refused) process.stderr.write(`install: ${line}\n`);
    return 1;
  }
  if (tolerated.length > 0) {
    process.stderr.write(
      `install: only other platforms' optional packages differ (${tolerated.length}: ${tolerated.join(", ")})\n`,
    );
    return 3;
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.exitCode = main(process.argv.slice(2));
}
