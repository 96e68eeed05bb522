// What lint rules are and what they report. Rules are pure: they read the Lab, the objects rendered
// from it and optional facts gathered elsewhere (a host scan, the virtctl on PATH), never the disk.
import type { LabPath } from "../config/source.js";
import type { Lab } from "../model/lab.js";
import type { KubeObject } from "../render/object.js";

export type Severity = "error" | "warning" | "info";
export const SEVERITIES: readonly Severity[] = ["error", "warning", "info"];

/** One finding, located in the lab file. */
export interface Finding {
  id: string;
  severity: Severity;
  message: string;
  fix: string;
  file: string;
  line: number;
  col: number;
  /** Dotted path in the lab file ("vms.gaming.modes.live.cpu"). */
  path: string;
  /** The VM the finding belongs to; only such findings can be silenced (vms.<vm>.lint.ignore). */
  vm?: string;
}

/** A finding a VM silenced, with the reason the lab file gives. */
export interface IgnoredFinding extends Finding {
  reason: string;
}

/** What a rule reports; the runner adds the rule's id and severity and the location. */
export interface Hit {
  path: LabPath;
  message: string;
  fix: string;
  vm?: string;
  /** Point at the key of `path` rather than its value (for things named by a key). */
  key?: boolean;
}

/**
 * Facts about one host from a scan of its sysfs (the host module produces them). The shape is the
 * subset lint needs, so any scanner can fill it.
 */
export interface HostFacts {
  iommuGroups: { id: number; endpoints: string[] }[];
}

/** Facts from outside the lab file; every one is optional and rules that need one skip without it. */
export interface LintFacts {
  /** Host scans by host name (the key under `hosts`). */
  hosts?: Record<string, HostFacts>;
  /** The version `virtctl version --client` reports. */
  virtctlVersion?: string;
}

export interface LintContext {
  lab: Lab;
  target: string;
  /** Objects the target renders; empty when this build has no renderer for the target. */
  objects: KubeObject[];
  facts: LintFacts;
}

export interface Rule {
  id: string;
  severity: Severity;
  /** One line: what the rule looks for (docs/lint.md has the why). */
  title: string;
  check(context: LintContext): Hit[];
}
