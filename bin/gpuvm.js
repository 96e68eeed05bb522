#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/ (`npm run build`; `npm ci` runs it through the prepare
// script). It imports the bundle rather than naming it statically so that it can first tell a missing
// build apart from any other failure, keep compiled code between runs, and turn on source maps for
// GPUVM_DEBUG's stack traces.
import { existsSync } from "node:fs";
import module from "node:module";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

const bundle = new URL("../dist/gpuvm.js", import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write("gpuvm: dist/gpuvm.js is missing: run `npm run build` (or `npm ci`) first\n");
  process.exit(1);
}

// Node 22.1+ keeps V8's compiled code of the bundle between runs (Node 20 has no compile cache; this is
// skipped there). In the user's own cache folder, not Node's default in the shared temporary folder,
// where another local user could leave compiled code for gpuvm to run; and never as root, whose HOME
// (under sudo) may be a folder the invoking user can write. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
if (module.enableCompileCache && process.geteuid?.() !== 0) {
  // A relative path would put the cache in whichever folder gpuvm runs in.
  const cacheHome = [process.env.XDG_CACHE_HOME, join(homedir(), ".cache")].find(
    (dir) => dir && isAbsolute(dir),
  );
  // A folder it cannot create or write only costs the cache: Node reports that rather than throwing.
  if (cacheHome) module.enableCompileCache(join(cacheHome, "gpuvm", "compile-cache"));
}
if (process.env.GPUVM_DEBUG) process.setSourceMapsEnabled(true);
await import(bundle.href);
