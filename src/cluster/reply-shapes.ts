// The shape of what gpuvm reads from the objects it decides on (Leases, VMs, VMIs, DataVolumes),
// checked where a reply enters gpuvm: a body that is not such an object (a proxy's page, a truncated or
// foreign answer) is an error naming the resource, not a TypeError later or a wrong "running".
// Only the fields gpuvm reads are checked; everything else passes through untouched.
import { z } from "zod";

const text = z.string().nullish();
const stringMap = z.record(z.string(), z.string()).nullish();

const metadata = z.looseObject({
  name: z.string(),
  namespace: text,
  resourceVersion: text,
  uid: text,
  labels: stringMap,
  annotations: stringMap,
});

const condition = z.looseObject({ type: z.string(), status: z.string(), reason: text, message: text });
const conditions = z.array(condition).nullish();

const object = <S extends z.ZodRawShape>(shape: S) =>
  z.looseObject({ apiVersion: text, kind: text, metadata, ...shape });

const lease = object({
  spec: z.looseObject({
    holderIdentity: text,
    leaseDurationSeconds: z.number().nullish(),
    acquireTime: text,
    renewTime: text,
  }),
});

const virtualMachine = object({
  spec: z.looseObject({
    runStrategy: text,
    running: z.boolean().nullish(),
    template: z.looseObject({}).nullish(),
  }),
  status: z.looseObject({ printableStatus: text, conditions }).nullish(),
});

const virtualMachineInstance = object({
  spec: z.looseObject({}).nullish(),
  status: z
    .looseObject({
      phase: text,
      nodeName: text,
      reason: text,
      conditions,
      interfaces: z.array(z.looseObject({ ipAddress: text, name: text })).nullish(),
      phaseTransitionTimestamps: z
        .array(z.looseObject({ phase: text, phaseTransitionTimestamp: text }))
        .nullish(),
      volumeStatus: z.array(z.looseObject({ name: z.string() })).nullish(),
    })
    .nullish(),
});

const dataVolume = object({
  spec: z.looseObject({}).nullish(),
  status: z.looseObject({ phase: text, progress: text, conditions }).nullish(),
});

/** Shapes by qualified resource, as RequestDescription names it. */
const SHAPES: Record<string, z.ZodType> = {
  "leases.coordination.k8s.io": lease,
  "virtualmachines.kubevirt.io": virtualMachine,
  "virtualmachineinstances.kubevirt.io": virtualMachineInstance,
  "datavolumes.cdi.kubevirt.io": dataVolume,
};

/** The reply to a list request of each resource, built once: replies are checked on every poll. */
const LIST_SHAPES: Record<string, z.ZodType> = Object.fromEntries(
  Object.entries(SHAPES).map(([resource, item]) => [resource, listOf(item)]),
);

function listOf(item: z.ZodType): z.ZodType {
  return z.looseObject({ items: z.array(item), metadata: z.looseObject({}).nullish() });
}

function where(path: PropertyKey[]): string {
  return path.length === 0
    ? "the body"
    : path
        .map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`))
        .join("")
        .slice(1);
}

/**
 * Why `body` is not what a reply about `resource` should be, or undefined when it fits (or when gpuvm
 * decides nothing on that resource's fields). `list`: the reply to a list request (items).
 */
export function replyProblem(resource: string, body: unknown, kind: "object" | "list"): string | undefined {
  const item = SHAPES[resource];
  if (!item) return undefined;
  const shape = kind === "list" ? (LIST_SHAPES[resource] ?? item) : item;
  const result = shape.safeParse(body);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  if (!issue) return "has an unexpected shape";
  if (issue.path.length === 0) return "is not a JSON object";
  return `has no valid ${where(issue.path)} (${issue.message})`;
}
