/**
 * `npm run cluster:up`: starts a test cluster with the KubeVirt/CDI simulator
 * (all namespaces) and, where possible, the simulated aggregated APIs; prints
 * the kubeconfig and stays up until Ctrl-C. Test tooling only.
 */
import { startCluster } from "./harness.js";
import { type AggregatedApis, serveAggregatedApis } from "./sim/aggregated.js";
import { startSimulator } from "./sim/index.js";

const cluster = await startCluster({ log: (line) => process.stderr.write(`${line}\n`) }).catch(
  (e: unknown) => {
    // up's own log lines (above) say what failed; a stack trace into the harness adds nothing.
    process.stderr.write(`[cluster] ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}\n`);
    process.exit(1);
  },
);
const kc = cluster.kubeConfig("admin");
const sim = await startSimulator(kc, { log: (msg) => process.stderr.write(`${msg}\n`) });
let agg: AggregatedApis | undefined;
try {
  agg = await serveAggregatedApis(kc, cluster, sim);
} catch (e) {
  process.stderr.write(
    `[cluster] aggregated APIs not served: ${e instanceof Error ? e.message : String(e)}\n`,
  );
}

process.stdout.write(
  [
    `kubeconfig: ${cluster.kubeconfigPath} (contexts: admin, limited)`,
    `server:     ${cluster.server}`,
    `cluster:    ${cluster.dir}/cluster.json (GPUVM_CLUSTER_INFO for the integration suite)`,
    "",
    `export KUBECONFIG=${cluster.kubeconfigPath}`,
    "",
    "Ctrl-C stops the cluster and removes its folder.",
    "",
  ].join("\n"),
);

let stopping = false;
const shutdown = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await agg?.stop().catch(() => undefined);
  await sim.close();
  await cluster.stop();
  process.exit(0);
};
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
