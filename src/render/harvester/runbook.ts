// The ordered steps that apply the patch form, as a shell script of kubectl commands (seed 003's
// "Apply" section): claims first, wait until Harvester has bound them to vfio-pci, patch, restart.
// It runs from the folder `render --out DIR --as-patch` writes, whose kustomization holds the claims.
import type { TextFile } from "../object.js";
import { patchPath } from "./patch.js";

export const RUNBOOK_PATH = "attach-gpus.sh";

const CLAIM_RESOURCE = "pcideviceclaims.devices.harvesterhci.io";

export function runbookFile(lab: string, namespace: string, claims: string[], vms: string[]): TextFile {
  const lines = [
    "#!/bin/sh",
    `# Attach the GPUs of lab ${lab} to existing Harvester VMs, step by step.`,
    "# Written by gpuvm render --target harvester --as-patch --out DIR; run it from DIR/harvester.",
    "set -eu",
    'cd "$(dirname "$0")"',
    "",
    "# 1. Claim every function of each GPU's IOMMU group, attached or not (the kustomization holds the claims).",
    "kubectl apply -k .",
    "",
    "# 2. Wait until the pcidevices controller has bound each claimed function to vfio-pci.",
    `kubectl wait --for=jsonpath='{.status.passthroughEnabled}'=true --timeout=5m \\`,
    ...claims.map((claim, index) => `  ${CLAIM_RESOURCE}/${claim}${index < claims.length - 1 ? " \\" : ""}`),
  ];
  lines.push("", "# 3. Attach the GPUs (each patch replaces its VM's hostDevices list).");
  for (const vm of vms)
    lines.push(`kubectl -n ${namespace} patch vm ${vm} --type merge --patch-file ${patchPath(vm)}`);
  lines.push("", "# 4. Restart running instances so the new devices take effect (a stopped VM has none).");
  for (const vm of vms) lines.push(`kubectl -n ${namespace} delete vmi ${vm} --ignore-not-found`);
  return { path: RUNBOOK_PATH, content: `${lines.join("\n")}\n` };
}
