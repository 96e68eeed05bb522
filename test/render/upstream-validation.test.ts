import { describe, expect, it } from "vitest";
import { renderKubevirtTarget } from "../../src/render/targets/kubevirt.js";
import { EXAMPLES, exampleLab } from "../support/labs.js";
import { upstreamSchemas } from "../support/upstream-schemas.js";

describe("rendered objects against the upstream schemas", () => {
  for (const name of EXAMPLES) {
    it(`${name}: every kubevirt-target object validates, with no unknown fields`, () => {
      const schemas = upstreamSchemas();
      const objects = renderKubevirtTarget(exampleLab(name)).objects;
      // At least the namespace, the KubeVirt and CDI CRs and one VM (capk's disk is a containerDisk).
      expect(objects.length).toBeGreaterThanOrEqual(4);
      expect(objects.flatMap((object) => schemas.errors(object))).toEqual([]);
    });
  }

  it("catches an unknown field and a wrong type (the validator is not a rubber stamp)", () => {
    const schemas = upstreamSchemas();
    const [vm] = renderKubevirtTarget(exampleLab("homelab")).objects.filter(
      (o) => o.kind === "VirtualMachine",
    );
    const broken = structuredClone(vm) as Record<string, any>;
    broken.spec.template.spec.domain.devices.gpuz = [];
    broken.spec.template.spec.domain.cpu.cores = "thirteen";
    const errors = schemas.errors(broken as never);
    expect(
      errors.some((line) => line.includes("/spec/template/spec/domain/devices") && line.includes("gpuz")),
    ).toBe(true);
    expect(errors.some((line) => line.includes("/spec/template/spec/domain/cpu/cores"))).toBe(true);
  });

  it("checks core kinds against Kubernetes' own OpenAPI too", () => {
    const schemas = upstreamSchemas();
    const [sc] = renderKubevirtTarget(exampleLab("homelab")).objects.filter((o) => o.kind === "StorageClass");
    const broken = { ...structuredClone(sc), reclaimPolicy: "Retain", replicas: 3 } as never;
    expect(schemas.errors(broken)).toEqual([
      "StorageClass/lg-nvme-raw-x3-immediate-on-tower1: must NOT have additional properties (replicas)",
    ]);
  });
});
