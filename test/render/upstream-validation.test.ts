import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderKubevirtTarget } from "../../src/render/targets/kubevirt.js";
import { preparedSchemasDir, type SchemaSource, schemaFile, schemaSource } from "../schemas/locate.js";
import { EXAMPLES, exampleLab } from "../support/labs.js";
import { tempDir } from "../support/temp.js";
import { UpstreamSchemas, upstreamSchemas } from "../support/upstream-schemas.js";

// The schemas every test reads (a copy of upstream's files where there is one), and, beside such a
// copy, the ones prepared from the pinned Go modules, which are all a fresh clone has: both must
// pass the rendered objects and both must reject the same mistakes.
const sources: [string, () => UpstreamSchemas][] = [[schemaSource().kind, upstreamSchemas]];
if (schemaSource().kind === "override") {
  let prepared: UpstreamSchemas | undefined;
  const source: SchemaSource = { kind: "prepared", dir: preparedSchemasDir() };
  sources.push(["prepared", () => (prepared ??= new UpstreamSchemas(source))]);
}

describe.each(sources)("rendered objects against the upstream schemas (%s)", (_kind, schemas) => {
  for (const name of EXAMPLES) {
    it(`${name}: every kubevirt-target object validates, with no unknown fields`, () => {
      const objects = renderKubevirtTarget(exampleLab(name)).objects;
      // At least the namespace, the KubeVirt and CDI CRs and one VM (capk's disk is a containerDisk).
      expect(objects.length).toBeGreaterThanOrEqual(4);
      expect(objects.flatMap((object) => schemas().errors(object))).toEqual([]);
    });
  }

  it("catches an unknown field and a wrong type (the validator is not a rubber stamp)", () => {
    const [vm] = renderKubevirtTarget(exampleLab("homelab")).objects.filter(
      (o) => o.kind === "VirtualMachine",
    );
    const broken = structuredClone(vm) as Record<string, any>;
    broken.spec.template.spec.domain.devices.gpuz = [];
    broken.spec.template.spec.domain.cpu.cores = "thirteen";
    const errors = schemas().errors(broken as never);
    expect(
      errors.some((line) => line.includes("/spec/template/spec/domain/devices") && line.includes("gpuz")),
    ).toBe(true);
    expect(errors.some((line) => line.includes("/spec/template/spec/domain/cpu/cores"))).toBe(true);
  });

  it("catches unknown fields in the KubeVirt and CDI CRs and a DataVolume too", () => {
    const objects = renderKubevirtTarget(exampleLab("homelab")).objects;
    const pick = (kind: string) =>
      structuredClone(objects.find((o) => o.kind === kind)) as Record<string, any>;
    const kubevirt = pick("KubeVirt");
    kubevirt.spec.configuration.permittedHostDevices.pciHostDevice = [];
    const cdi = pick("CDI");
    cdi.spec.infra = { nodeSelector: { a: "b" }, tolerance: [] };
    const dataVolume = {
      apiVersion: "cdi.kubevirt.io/v1beta1",
      kind: "DataVolume",
      metadata: { name: "scratch" },
      spec: { source: { blank: {} }, storage: { resources: { requests: { storage: "1Gi" } } } },
    } as Record<string, any>;
    expect(schemas().errors(dataVolume as never)).toEqual([]);
    dataVolume.spec.storage.sizeGb = 10;
    const errors = [kubevirt, cdi, dataVolume].flatMap((object) => schemas().errors(object as never));
    expect(errors).toEqual(
      expect.arrayContaining([
        "KubeVirt/kubevirt/spec/configuration/permittedHostDevices: must NOT have additional properties (pciHostDevice)",
        "CDI/cdi/spec/infra: must NOT have additional properties (tolerance)",
        "DataVolume/scratch/spec/storage: must NOT have additional properties (sizeGb)",
      ]),
    );
  });

  it("checks core kinds against Kubernetes' own OpenAPI too", () => {
    const [sc] = renderKubevirtTarget(exampleLab("homelab")).objects.filter((o) => o.kind === "StorageClass");
    const broken = { ...structuredClone(sc), reclaimPolicy: "Retain", replicas: 3 } as never;
    expect(schemas().errors(broken)).toEqual([
      "StorageClass/lg-nvme-raw-x3-immediate-on-tower1: must NOT have additional properties (replicas)",
    ]);
  });
});

describe("schemas that are not prepared", () => {
  it("name the step that prepares them, with no stack trace into the test helpers", () => {
    const dir = join(tempDir("gpuvm-schemas-"), "upstream-schemas-0");
    let error: unknown;
    try {
      schemaFile("kubevirt/swagger.json", { kind: "prepared", dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`${dir} is missing`);
    expect((error as Error).message).toContain("run `bash test/prepare`");
    expect((error as Error).stack).not.toMatch(/\n\s+at /);
  });

  it("leave the committed fixtures readable without any preparation", () => {
    const dir = join(tmpdir(), "gpuvm-no-such-folder");
    expect(schemaFile("harvester-pcidevices/crds.yaml", { kind: "prepared", dir })).toMatch(
      /test\/fixtures\/upstream\/harvester-pcidevices\/crds\.yaml$/,
    );
  });
});
