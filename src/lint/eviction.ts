// Eviction rules: a VM holding a PCI device cannot live-migrate, so an eviction strategy that tries to
// (LiveMigrate, LiveMigrateIfPossible, or the cluster default when none is set) blocks node drains or
// fails the VM. CAPK's seed (004) sets External; gpuvm renders None.
import type { Hit, Rule } from "./finding.js";
import { renderedVms } from "./helpers.js";

const SAFE = new Set(["None", "External"]);

export const evictionRules: Rule[] = [
  {
    id: "GV014",
    severity: "error",
    title: "A VM with host devices and an eviction strategy that would live-migrate it",
    check: ({ lab, objects }) =>
      renderedVms(lab, objects)
        .filter(({ spec }) => (spec.domain?.devices?.hostDevices ?? []).length > 0)
        .filter(({ spec }) => !SAFE.has(spec.evictionStrategy ?? ""))
        .map(
          ({ vm, mode, object, spec }): Hit => ({
            path: [...mode.path, "gpus"],
            message: `${object.metadata.name} passes host devices but its evictionStrategy is ${spec.evictionStrategy ?? "unset (the cluster default, often LiveMigrate)"}: a VM with a PCI device cannot live-migrate, so draining ${mode.host?.name ?? "its node"} fails`,
            fix: "set spec.template.spec.evictionStrategy: None on the VM (External when a cluster API provider drains it)",
            vm: vm.name,
          }),
        ),
  },
];
