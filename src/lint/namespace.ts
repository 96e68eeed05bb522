// Namespace rule: every namespaced object of the lab lives in cluster.namespace, so lifecycle commands
// find what apply created (seed 000: "Always include namespace flags … to avoid 'resource not found'").
import type { Hit, Rule } from "./finding.js";

// Cluster-wide configuration that lives in its operator's namespace, not the lab's.
const OPERATOR_KINDS = new Set(["KubeVirt", "CDI"]);

export const namespaceRules: Rule[] = [
  {
    id: "GV036",
    severity: "error",
    title: "A rendered object outside the lab's namespace",
    check: ({ lab, objects }) =>
      objects
        .filter((object) => !OPERATOR_KINDS.has(object.kind))
        .filter((object) => object.metadata.namespace !== undefined)
        .filter((object) => object.metadata.namespace !== lab.cluster.namespace)
        .map(
          (object): Hit => ({
            path: ["cluster", "namespace"],
            message: `${object.kind} ${object.metadata.name} is rendered into namespace ${object.metadata.namespace}, not the lab's ${lab.cluster.namespace}: commands that look in ${lab.cluster.namespace} do not find it`,
            fix: `render every namespaced object into cluster.namespace (${lab.cluster.namespace})`,
          }),
        ),
  },
];
