/**
 * Vitest global setup of the `integration` project: starts one test cluster
 * (test/test-cluster/up) for the whole suite and hands its ClusterInfo to the tests:
 *
 *   import { inject } from "vitest";
 *   const cluster = connectCluster(inject("gpuvmCluster"));
 *
 * Set GPUVM_CLUSTER_INFO=<folder>/cluster.json to reuse a cluster started with
 * `npm run cluster:up` instead of starting one.
 */
import { readFileSync } from "node:fs";
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { type ClusterInfo, startCluster } from "./harness.js";

declare module "vitest" {
  export interface ProvidedContext {
    gpuvmCluster: ClusterInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reuse = process.env.GPUVM_CLUSTER_INFO;
  if (reuse) {
    project.provide("gpuvmCluster", JSON.parse(readFileSync(reuse, "utf8")) as ClusterInfo);
    return async () => {};
  }
  const started = Date.now();
  const cluster = await startCluster({ log: (line) => process.stderr.write(`${line}\n`) }).catch(
    (e: unknown) => {
      // A thrown error here reads as vitest's "No test files found" plus a stack trace into the
      // harness; up's log lines above already say what failed (a missing schema names
      // `bash test/prepare`), so end with them and the one line that sums them up.
      const summary = (e instanceof Error ? e.message : String(e)).split("\n")[0];
      process.stderr.write(`[cluster] the integration tests did not run: ${summary}\n`);
      process.exit(1);
    },
  );
  process.stderr.write(`[cluster] test cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const { kubeConfig: _kc, stop, restartApiServer: _restart, ...info } = cluster;
  project.provide("gpuvmCluster", info);
  return async () => {
    await stop();
  };
}
