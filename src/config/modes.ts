// The modes a lab VM can have, in the order gpuvm builds and lists them. A module of its own, without
// zod, so the lifecycle commands can offer them as option choices without loading the schema.
export const MODES = ["live", "maintenance"] as const;
