// Version-skew rules: what the lab uses against the KubeVirt, CDI and virtctl versions it declares
// (seed 000, "Version Compatibility": "Version mismatches cause connection issues and API
// incompatibilities"). The facts live in versions.ts.

import {
  atLeast,
  CDI_FOR_KUBEVIRT,
  formatVersion,
  HYPERV_SINCE,
  KUBEVIRT,
  parseVersion,
  type Version,
} from "../model/versions.js";
import type { Hit, LintContext, Rule } from "./finding.js";
import { featureGatesOf, renderedKubeVirtConfig } from "./helpers.js";

const KUBEVIRT_PATH = ["cluster", "kubevirt"];

/** A KubeVirt feature that arrived behind a feature gate and later became GA. */
interface GatedFeature {
  since: Version;
  ga: Version;
  gate: string;
}

const VIDEO_CONFIG: GatedFeature = {
  since: KUBEVIRT.videoConfig,
  ga: KUBEVIRT.videoConfigGa,
  gate: "VideoConfig",
};
const PERSISTENT_STATE: GatedFeature = {
  since: KUBEVIRT.persistentState,
  ga: KUBEVIRT.persistentStateGa,
  gate: "VMPersistentState",
};

/**
 * Where a KubeVirt feature behind a gate stands for the lab: "too-old" before `since`, "gate-off" while
 * the version still needs `gate` (before `ga`) and the rendered KubeVirt CR does not enable it, else "ok"
 * (a lab that renders no KubeVirt CR leaves the gates to whoever manages it).
 */
function gatedFeature(
  { lab, objects }: Pick<LintContext, "lab" | "objects">,
  { since, ga, gate }: GatedFeature,
): "too-old" | "gate-off" | "ok" {
  const version = lab.cluster.kubevirtVersion;
  if (!atLeast(version, since)) return "too-old";
  if (atLeast(version, ga)) return "ok";
  const config = renderedKubeVirtConfig(objects);
  return config !== undefined && !featureGatesOf(config).includes(gate) ? "gate-off" : "ok";
}

export const skewRules: Rule[] = [
  {
    id: "GV029",
    severity: "error",
    title: "managedTap binding on a KubeVirt older than v1.4.0",
    check: ({ lab }) => {
      const version = lab.cluster.kubevirtVersion;
      if (atLeast(version, KUBEVIRT.managedTap)) return [];
      return lab.networks
        .filter((network) => network.binding === "managedTap")
        .map(
          (network): Hit => ({
            path: [...network.path, "binding"],
            message: `network ${network.key} uses the managedTap binding, which KubeVirt has since ${formatVersion(KUBEVIRT.managedTap)}; the cluster runs ${version}`,
            fix: `upgrade KubeVirt to ${formatVersion(KUBEVIRT.managedTap)} or later (and set cluster.kubevirt), or use binding: bridge (KubeVirt then answers DHCP itself)`,
          }),
        );
    },
  },
  {
    id: "GV030",
    severity: "error",
    title: "A video device without KubeVirt v1.6 or without the VideoConfig feature gate",
    check: ({ lab, objects }) => {
      const version = lab.cluster.kubevirtVersion;
      const stands = gatedFeature({ lab, objects }, VIDEO_CONFIG);
      if (stands === "ok") return [];
      return lab.vms
        .filter((vm) => vm.graphics.video !== undefined)
        .map(
          (vm): Hit => ({
            path: [...vm.path, "graphics", "video"],
            ...(stands === "too-old"
              ? {
                  message: `VM "${vm.name}" sets a video device, which KubeVirt has since ${formatVersion(KUBEVIRT.videoConfig)}; the cluster runs ${version}`,
                  fix: `remove graphics.video from vms.${vm.name}, or upgrade KubeVirt to ${formatVersion(KUBEVIRT.videoConfig)} or later`,
                }
              : {
                  message: `VM "${vm.name}" sets a video device but the rendered KubeVirt CR does not enable the VideoConfig feature gate, which ${version} still needs (GA only in ${formatVersion(KUBEVIRT.videoConfigGa)})`,
                  fix: "add VideoConfig to spec.configuration.developerConfiguration.featureGates of the KubeVirt CR",
                }),
            vm: vm.name,
          }),
        );
    },
  },
  {
    id: "GV031",
    severity: "warning",
    title: "A CDI version that does not go with the declared KubeVirt version",
    check: ({ lab }) => {
      const kubevirt = parseVersion(lab.cluster.kubevirtVersion);
      const cdi = parseVersion(lab.cluster.cdiVersion);
      if (!kubevirt || !cdi) return [];
      const range = CDI_FOR_KUBEVIRT[`${kubevirt[0]}.${kubevirt[1]}`];
      if (!range || (cdi[0] === 1 && cdi[1] >= range.from && cdi[1] <= range.to)) return [];
      return [
        {
          path: ["cluster", "cdi"],
          message: `CDI ${lab.cluster.cdiVersion} does not go with KubeVirt ${lab.cluster.kubevirtVersion}, which is released with CDI v1.${range.from}–v1.${range.to}`,
          fix: `install CDI v1.${range.to} (the release paired with KubeVirt v${kubevirt[0]}.${kubevirt[1]}) and set cluster.cdi`,
        },
      ];
    },
  },
  {
    id: "GV032",
    severity: "error",
    title: "A Hyper-V enlightenment the declared KubeVirt version does not have",
    check: ({ lab }) =>
      lab.vms.flatMap((vm) =>
        Object.entries(vm.hyperv)
          .filter(
            ([name, value]) =>
              value !== false && !atLeast(lab.cluster.kubevirtVersion, HYPERV_SINCE[name] ?? [0, 0, 0]),
          )
          .map(
            ([name]): Hit => ({
              path: [...vm.path, "hyperv", name],
              message: `VM "${vm.name}" asks for the Hyper-V enlightenment ${name}, which KubeVirt has since ${formatVersion(HYPERV_SINCE[name] ?? [0, 0, 0])}; the cluster runs ${lab.cluster.kubevirtVersion}, which rejects or drops it`,
              fix: `remove hyperv.${name} from vms.${vm.name}, or upgrade KubeVirt`,
              vm: vm.name,
            }),
          ),
      ),
  },
  {
    id: "GV033",
    severity: "error",
    title: "A persistent TPM or EFI state without KubeVirt v1.0 or without the VMPersistentState gate",
    check: ({ lab, objects }) => {
      const version = lab.cluster.kubevirtVersion;
      const stands = gatedFeature({ lab, objects }, PERSISTENT_STATE);
      if (stands === "ok") return [];
      return lab.vms
        .filter((vm) => vm.firmware.tpm || vm.firmware.secureBoot)
        .map((vm): Hit => {
          const what = vm.firmware.tpm ? "tpm" : "secureBoot";
          return {
            path: [...vm.path, "firmware", what],
            ...(stands === "too-old"
              ? {
                  message: `VM "${vm.name}" needs persistent TPM/EFI state (${what}), which KubeVirt has since ${formatVersion(KUBEVIRT.persistentState)}; the cluster runs ${version}`,
                  fix: `upgrade KubeVirt to ${formatVersion(KUBEVIRT.persistentState)} or later`,
                }
              : {
                  message: `VM "${vm.name}" needs persistent TPM/EFI state (${what}) but the rendered KubeVirt CR does not enable VMPersistentState, which ${version} still needs`,
                  fix: "add VMPersistentState to spec.configuration.developerConfiguration.featureGates of the KubeVirt CR",
                }),
            vm: vm.name,
          };
        });
    },
  },
  {
    id: "GV034",
    severity: "warning",
    title: "virtctl's version does not match the cluster's KubeVirt",
    check: ({ lab, facts }) => {
      const client = facts.virtctlVersion === undefined ? undefined : parseVersion(facts.virtctlVersion);
      const server = parseVersion(lab.cluster.kubevirtVersion);
      if (!client || !server || (client[0] === server[0] && client[1] === server[1])) return [];
      return [
        {
          path: KUBEVIRT_PATH,
          message: `virtctl is ${facts.virtctlVersion} but the cluster runs KubeVirt ${lab.cluster.kubevirtVersion}: image uploads and consoles fail on API differences`,
          fix: `install virtctl ${lab.cluster.kubevirtVersion} (kubevirt/kubevirt release assets)`,
        },
      ];
    },
  },
];
