// gpuvm plan -f lab.yaml: what apply would change, from the server's dry run. Exit 0: nothing; 3: changes.
import type { Command } from "commander";
import { formatChanges } from "../cluster/diff.js";
import { clusterObjects } from "../cluster/objects.js";
import { hasChanges, makePlan, type Plan } from "../cluster/plan.js";
import { describeRef } from "../cluster/resources.js";
import { addClusterOptions, type ClusterFlags, openCluster } from "./cluster-options.js";
import { EXIT, type Io, QuietExit } from "./io.js";
import { outputOption } from "./options.js";

const LABEL: Record<string, string> = {
  create: "create",
  update: "update",
  unchanged: "unchanged",
  prune: "prune (with --prune)",
  blocked: "prune refused (the VM runs)",
  keep: "keep (volume no longer in the lab)",
  conflict: "conflict",
  error: "refused",
};

export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  for (const entry of plan.entries) {
    const note = entry.note ? ` (${entry.note})` : "";
    const refused = entry.action === "error" || entry.action === "conflict";
    lines.push(`${LABEL[entry.action]}: ${describeRef(entry.ref)}${refused ? `: ${entry.note}` : note}`);
    if (entry.action === "conflict") lines.push("    (apply --force-conflicts takes these fields over)");
    lines.push(...formatChanges(entry.changes));
  }
  const count = (action: string) => plan.entries.filter((entry) => entry.action === action).length;
  lines.push(
    `${count("create")} to create, ${count("update")} to update, ${count("unchanged")} unchanged, ${count("prune")} to prune, ${count("blocked") ? `${count("blocked")} running (prune refused), ` : ""}${count("keep")} volumes kept${count("conflict") ? `, ${count("conflict")} in conflict` : ""}${count("error") ? `, ${count("error")} refused` : ""}`,
  );
  return `${lines.join("\n")}\n`;
}

export function registerPlan(program: Command, io: Io): void {
  addClusterOptions(
    program
      .command("plan")
      .description(
        "show what apply would change on the cluster (server-side dry run); exit 3 when something would",
      ),
  )
    .addOption(outputOption(["text", "json"], "text"))
    .action(async (flags: ClusterFlags & { output: string }) => {
      const { client, lab } = await openCluster(flags);
      const plan = await makePlan(client, clusterObjects(lab), {
        name: lab.name,
        namespace: lab.cluster.namespace,
      });
      if (flags.output === "json") {
        const entries = plan.entries.map(({ ref, action, changes, note }) => ({
          ref,
          action,
          changes,
          ...(note ? { note } : {}),
        }));
        io.out(`${JSON.stringify({ changes: hasChanges(plan), entries }, null, 2)}\n`);
      } else {
        io.out(formatPlan(plan));
      }
      if (plan.entries.some((entry) => entry.action === "error" || entry.action === "conflict"))
        throw new QuietExit(EXIT.invalid);
      if (hasChanges(plan)) throw new QuietExit(EXIT.changes);
    });
}
