// Shared by the cluster integration tests: the suite's real API server, a namespace and lab per test,
// the simulator scoped to that namespace, and the CLI run in-process against it.
import { createHash } from "node:crypto";
import { inject } from "vitest";
import { KubeClient, type KubeObjectJson } from "../../../src/cluster/client.js";
import { gpuClaim, type Lease } from "../../../src/cluster/leases.js";
import type { Lab } from "../../../src/model/lab.js";
import { type CliResult, runCli } from "../../support/cli.js";
import { tempFile } from "../../support/temp.js";
import { type Cluster, connectCluster } from "../../test-cluster/harness.js";
import { type SimOptions, type Simulator, startSimulator } from "../../test-cluster/sim/index.js";

export function sharedCluster(): Cluster {
  return connectCluster(inject("gpuvmCluster"));
}

let counter = 0;
/** A name no other test (or earlier run against a reused cluster) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
}

import { homelabText, type LabOptions } from "./labs.js";

export { homelabText, type LabOptions };

/** Writes a lab file into a fresh folder and returns its path. */
export function writeLab(text: string, file = "lab.yaml"): string {
  return tempFile(file, text, "gpuvm-lab-");
}

/** A PCI domain of its own for a name, so labs of tests running side by side never share a GPU lock. */
export function gpuDomainFor(name: string): string {
  return createHash("sha256").update(name).digest("hex").slice(0, 4);
}

/** A test's own lab: unique lab name, namespace, cluster-wide names and GPU. */
export function freshLab(prefix: string, extra: Partial<LabOptions> = {}) {
  const suffix = uniqueName(prefix);
  const options: LabOptions = {
    name: suffix,
    namespace: suffix,
    suffix,
    gpuDomain: gpuDomainFor(suffix),
    ...extra,
  };
  return { ...options, options, path: writeLab(homelabText(options)) };
}

/** Runs gpuvm in-process against the cluster as `user` (a context of the harness kubeconfig). */
export function gpuvm(cluster: Cluster, user: "admin" | "limited", ...args: string[]): Promise<CliResult> {
  return runCli(...args, "--kubeconfig", cluster.kubeconfigPath, "--context", user);
}

export function adminClient(cluster: Cluster): KubeClient {
  return new KubeClient(cluster.kubeConfig("admin"));
}

/** The simulator playing KubeVirt/CDI for one namespace, fast unless told otherwise. */
export function simulate(cluster: Cluster, namespace: string, options: SimOptions = {}): Promise<Simulator> {
  return startSimulator(cluster.kubeConfig("admin"), { namespace, ...options });
}

export const KUBEVIRT_REF = {
  apiVersion: "kubevirt.io/v1",
  kind: "KubeVirt",
  namespace: "kubevirt",
  name: "kubevirt",
} as const;

export type { KubeObjectJson };

/** Where the lease of the lab's first GPU lives (cluster-wide: the lock namespace, a hashed name). */
export function gpuLeaseRef(lab: Lab) {
  const gpu = lab.vms.flatMap((vm) => vm.modes).flatMap((mode) => mode.gpus)[0];
  if (!gpu) throw new Error(`lab ${lab.name} passes no GPU`);
  const claim = gpuClaim(gpu);
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    namespace: claim.namespace,
    name: claim.name,
  };
}

export function readGpuLease(client: KubeClient, lab: Lab): Promise<Lease | undefined> {
  return client.get<Lease>(gpuLeaseRef(lab));
}
