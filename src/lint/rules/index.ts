// The registry of lint rules: every rule, by its stable id. Ids are never reused or renumbered;
// docs/lint.md has one entry per id.
import { deviceRules } from "../devices.js";
import { evictionRules } from "../eviction.js";
import type { Hit, Rule } from "../finding.js";
import { gpuRules } from "../gpu.js";
import { macRules } from "../mac.js";
import { namespaceRules } from "../namespace.js";
import { networkRules } from "../network.js";
import { sizingRules } from "../sizing.js";
import { skewRules } from "../skew.js";
import { storageRules } from "../storage.js";
import { windowsRules } from "../windows.js";

/** The id of the rule about lint.ignore itself; its findings cannot be silenced. */
export const UNKNOWN_IGNORE_ID = "GV035";

const ruleFamilies: Rule[] = [
  ...storageRules,
  ...windowsRules,
  ...gpuRules,
  ...deviceRules,
  ...evictionRules,
  ...sizingRules,
  ...macRules,
  ...networkRules,
  ...skewRules,
  ...namespaceRules,
];

const unknownIgnore: Rule = {
  id: UNKNOWN_IGNORE_ID,
  severity: "warning",
  title: "lint.ignore names a rule id that does not exist",
  check: ({ lab }) =>
    lab.vms.flatMap((vm) =>
      Object.keys(vm.lintIgnore)
        .filter((id) => !RULE_IDS.has(id))
        .map(
          (id): Hit => ({
            path: [...vm.path, "lint", "ignore", id],
            key: true,
            message: `vms.${vm.name}.lint.ignore names ${id}, which is not a gpuvm lint rule: it silences nothing`,
            fix: "use an id from docs/lint.md (GV001…), or remove the entry",
            vm: vm.name,
          }),
        ),
    ),
};

export const RULES: readonly Rule[] = [...ruleFamilies, unknownIgnore].sort((a, b) =>
  a.id.localeCompare(b.id),
);
export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((rule) => rule.id));

export function findRule(id: string): Rule | undefined {
  return RULES.find((rule) => rule.id === id);
}
