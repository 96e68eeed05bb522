#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/ (`npm run build`; `npm ci` runs it through the prepare
// script). It imports the bundle rather than naming it statically so that it can first tell a missing
// build apart from any other failure, and turn on source maps for GPUVM_DEBUG's stack traces.
import { existsSync } from "node:fs";

const bundle = new URL("../dist/gpuvm.js", import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write("gpuvm: dist/gpuvm.js is missing: run `npm run build` (or `npm ci`) first\n");
  process.exit(1);
}
if (process.env.GPUVM_DEBUG) process.setSourceMapsEnabled(true);
await import(bundle.href);
