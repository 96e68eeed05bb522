// Field-by-field difference between a live object and what the server says it would become, ignoring
// what the server owns (status, managedFields, resourceVersion, generation, uid, timestamps).

export interface FieldChange {
  /** "spec.template.spec.domain.devices.disks[name=system].bootOrder" */
  path: string;
  op: "add" | "remove" | "change";
  before?: unknown;
  after?: unknown;
}

const SERVER_METADATA = [
  "managedFields",
  "resourceVersion",
  "generation",
  "uid",
  "selfLink",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
];

/** A copy without the fields the server owns, so two reads of an unchanged object compare equal. */
export function comparable(obj: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(obj);
  delete copy.status;
  const metadata = copy.metadata as Record<string, unknown> | undefined;
  if (metadata) for (const field of SERVER_METADATA) delete metadata[field];
  return copy;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function namedItems(list: unknown[]): Map<string, unknown> | undefined {
  const byName = new Map<string, unknown>();
  for (const item of list) {
    if (!isObject(item) || typeof item.name !== "string" || byName.has(item.name)) return undefined;
    byName.set(item.name, item);
  }
  return byName;
}

function walk(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (before === undefined && after === undefined) return;
  if (before === undefined) {
    out.push({ path, op: "add", after });
    return;
  }
  if (after === undefined) {
    out.push({ path, op: "remove", before });
    return;
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) walk(before[key], after[key], path ? `${path}.${key}` : key, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    // Lists of named items (disks, interfaces, volumes) read best keyed by name.
    const beforeNamed = namedItems(before);
    const afterNamed = namedItems(after);
    if (beforeNamed && afterNamed && (before.length > 0 || after.length > 0)) {
      const names = [...new Set([...beforeNamed.keys(), ...afterNamed.keys()])];
      for (const name of names)
        walk(beforeNamed.get(name), afterNamed.get(name), `${path}[name=${name}]`, out);
      return;
    }
    const length = Math.max(before.length, after.length);
    for (let index = 0; index < length; index++) walk(before[index], after[index], `${path}[${index}]`, out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path, op: "change", before, after });
}

/** What changes from `live` to `next`, both compared without server-owned fields. */
export function diffObjects(live: Record<string, unknown>, next: Record<string, unknown>): FieldChange[] {
  const out: FieldChange[] = [];
  walk(comparable(live), comparable(next), "", out);
  return out;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** One line per changed field: "~ path: before -> after", "+ path: value", "- path: value". */
export function formatChanges(changes: FieldChange[], indent = "    "): string[] {
  return changes.map((change) => {
    if (change.op === "add") return `${indent}+ ${change.path}: ${show(change.after)}`;
    if (change.op === "remove") return `${indent}- ${change.path}: ${show(change.before)}`;
    return `${indent}~ ${change.path}: ${show(change.before)} -> ${show(change.after)}`;
  });
}
