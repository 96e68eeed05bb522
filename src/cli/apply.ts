// gpuvm apply -f lab.yaml [--prune] [--yes]: server-side apply of the lab's objects in dependency order.
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { applyPlan, type Outcome, PruneRunningError } from "../cluster/apply.js";
import { clusterObjects } from "../cluster/objects.js";
import { makePlan, type PlanEntry } from "../cluster/plan.js";
import { describeRef, resourceFor } from "../cluster/resources.js";
import { addClusterOptions, type ClusterFlags, openCluster } from "./cluster-options.js";
import { EXIT, type Io, QuietExit, UsageError } from "./io.js";
import { lintGate } from "./lint-gate.js";

interface ApplyFlags extends ClusterFlags {
  prune?: boolean;
  yes?: boolean;
  forceConflicts?: boolean;
  strict?: boolean;
}

/** kubectl's progress form: "virtualmachine.kubevirt.io/gaming-live configured". */
export function progressLine(entry: PlanEntry, outcome: Outcome): string {
  const info = resourceFor(entry.ref.apiVersion, entry.ref.kind);
  const group = info.apiVersion.includes("/") ? `.${info.apiVersion.split("/")[0]}` : "";
  const text =
    outcome === "kept" && entry.action === "keep"
      ? "kept (volume no longer in the lab; not deleted)"
      : outcome;
  const left =
    outcome !== "kept"
      ? text
      : entry.action === "prune"
        ? "left (no longer in the lab; --prune removes it)"
        : entry.action === "blocked"
          ? "left (no longer in the lab, and it runs: stop it, then --prune removes it)"
          : text;
  return `${info.kind.toLowerCase()}${group}/${entry.ref.name} ${left}\n`;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function registerApply(program: Command, io: Io): void {
  addClusterOptions(
    program
      .command("apply")
      .description("create or update the lab's objects on the cluster (server-side apply)"),
  )
    .option(
      "--prune",
      "delete this lab's objects the lab no longer has (never volumes, namespaces, KubeVirt or CDI)",
    )
    .option("-y, --yes", "prune without asking")
    .option("--force-conflicts", "take over fields another field manager owns")
    .option("--strict", "treat lint warnings as errors")
    .action(async (flags: ApplyFlags) => {
      const { client, lab } = await openCluster(flags);
      const objects = clusterObjects(lab);
      // Lint errors stop apply before a single request reaches the cluster.
      lintGate(lab, io, { target: "kubevirt", strict: flags.strict === true });
      const plan = await makePlan(
        client,
        objects,
        { name: lab.name, namespace: lab.cluster.namespace },
        { force: flags.forceConflicts === true },
      );
      const blocked = plan.entries.filter((entry) => entry.action === "blocked");
      // Before any question: a prune that would kill a running guest is refused whatever the answer.
      if (flags.prune && blocked.length > 0) throw new PruneRunningError(blocked);
      const doomed = plan.entries.filter((entry) => entry.action === "prune");
      if (flags.prune && doomed.length > 0 && !flags.yes) {
        const list = doomed.map((entry) => `  ${describeRef(entry.ref)}`).join("\n");
        if (!process.stdin.isTTY) {
          throw new UsageError(
            `--prune would delete:\n${list}\nconfirm with --yes (stdin is not a terminal, so gpuvm cannot ask)`,
          );
        }
        io.err(`--prune will delete:\n${list}\n`);
        if (!(await confirm("delete these objects? [y/N] "))) {
          io.err("nothing applied\n");
          throw new QuietExit(EXIT.usage);
        }
      }
      await applyPlan(client, plan, {
        prune: Boolean(flags.prune),
        forceConflicts: Boolean(flags.forceConflicts),
        onProgress: (entry, outcome) => io.out(progressLine(entry, outcome)),
      });
    });
}
