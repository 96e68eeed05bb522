import { describe, expect, it } from "vitest";
import { renderKubevirtTarget } from "../../src/render/targets/kubevirt.js";
import { EXAMPLES, exampleLab } from "../support/labs.js";
import { CORE_KINDS_CHECKED_BY_SERVER, upstreamSchemas } from "../support/upstream-schemas.js";

describe("rendered objects against the upstream schemas", () => {
  for (const name of EXAMPLES) {
    it(`${name}: every kubevirt-target object validates, with no unknown fields`, () => {
      const schemas = upstreamSchemas();
      const objects = renderKubevirtTarget(exampleLab(name)).objects;
      const checked = objects.filter(
        (object) => !CORE_KINDS_CHECKED_BY_SERVER.has(`${object.apiVersion}/${object.kind}`),
      );
      // At least the KubeVirt and CDI CRs and one VM (the capk example has no volumes: a containerDisk).
      expect(checked.length).toBeGreaterThanOrEqual(3);
      expect(checked.flatMap((object) => schemas.errors(object))).toEqual([]);
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
});
