// Builds dist/, what bin/gpuvm.js runs: the CLI bundled by esbuild into dist/gpuvm.js and chunks that
// load on demand (dist/chunks/), one per command and per piece shared between commands. Node then
// resolves and reads a handful of files instead of a few hundred modules of src/ and node_modules, and
// `gpuvm --version` never reads the code of render, zod or yaml. Type checking stays with
// `tsc --noEmit` (npm run check, CI); this only transpiles.
// Run: npm run build (npm ci runs it through the prepare script)
import { readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = resolve(root, process.argv[2] ?? "dist");

// The two libraries that talk to the API server stay packages, loaded from node_modules by the
// cluster commands alone (import() of client-node, and the console's chunk for ws): they are large,
// and the cluster tests exercise them as installed.
const external = ["@kubernetes/client-node", "ws"];

// Bundled CommonJS packages (commander, yaml, ajv) call require() for Node's built-in modules, which an
// ES module has no binding for; give the bundle one.
const banner = [
  'import { createRequire as __gpuvmCreateRequire } from "node:module";',
  "const require = __gpuvmCreateRequire(import.meta.url);",
].join("\n");

// src/version.ts reads ../package.json beside itself, which from a chunk in dist/chunks/ is the wrong
// file; the bundle carries the version it was built from instead (and reads no file to print it).
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const versionFromManifest = {
  name: "version-from-manifest",
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, () => ({
      contents: `export const version = ${JSON.stringify(version)};`,
      loader: "ts",
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { gpuvm: "src/cli/run.ts" },
  outdir,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  plugins: [versionFromManifest],
  banner: { js: banner },
  // Stack traces name src/ lines when source maps are on (bin/gpuvm.js turns them on for GPUVM_DEBUG).
  sourcemap: true,
  logLevel: "warning",
});
