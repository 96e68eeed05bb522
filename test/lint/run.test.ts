// How findings are silenced, made strict, sorted and tied to host-scan facts.
import { describe, expect, it } from "vitest";
import { RULE_IDS, RULES } from "../../src/lint/rules/index.js";
import { BASE, lint, variant } from "./support.js";

const WINDOWS = variant(["os: linux", "os: windows"]);
const silenced = (reason: string) =>
  variant(["os: linux\n", `os: windows\n    lint: { ignore: { GV004: "${reason}" } }\n`]);

describe("silencing a rule per VM", () => {
  it("hides the finding and lists it under ignored with the lab file's reason", () => {
    expect(lint({ text: WINDOWS }).findings.map((finding) => finding.id)).toEqual(["GV004"]);
    const report = lint({ text: silenced("virtio-win drivers installed") });
    expect(report.findings).toEqual([]);
    expect(report.ignored).toHaveLength(1);
    expect(report.ignored[0]).toMatchObject({
      id: "GV004",
      vm: "vm1",
      reason: "virtio-win drivers installed",
    });
    expect(report.summary).toEqual({ errors: 0, warnings: 0, info: 0 });
  });

  it("silences only the VM that asks", () => {
    const text = `${silenced("installed")}  vm2:\n    os: windows\n    disks:\n      system: { size: 64Gi, storage: fast }\n    modes:\n      live: { host: tower1, cpu: 2, memory: 4Gi }\n      maintenance: { cpu: 2, memory: 4Gi }\n`;
    const report = lint({ text });
    expect(report.findings.map((finding) => [finding.id, finding.vm])).toEqual([["GV004", "vm2"]]);
  });

  it("cannot silence the warning about an unknown id", () => {
    const text = variant(["os: linux\n", 'os: linux\n    lint: { ignore: { GV035: "x", GV404: "typo" } }\n']);
    expect(lint({ text }).findings.map((finding) => finding.id)).toEqual(["GV035"]);
  });
});

describe("--strict", () => {
  it("turns warnings into errors and leaves info alone", () => {
    const report = lint({ text: WINDOWS, strict: true });
    expect(report.findings.map((finding) => [finding.id, finding.severity])).toEqual([["GV004", "error"]]);
    expect(report.summary.errors).toBe(1);
  });
});

describe("order", () => {
  it("sorts findings by line, column and id", () => {
    const text = variant(['"8a:d3:14:ca:21:70"', '"88:d3:14:ca:21:XX"'], ["cpu: 80%", "cpu: 95%"]);
    const places = lint({ text }).findings.map((finding) => [finding.line, finding.col, finding.id]);
    expect(places).toEqual(
      [...places].sort((a, b) => Number(a[0]) - Number(b[0]) || Number(a[1]) - Number(b[1])),
    );
    expect(places.map((place) => place[2])).toEqual(["GV020", "GV016"]);
  });
});

describe("host scan facts", () => {
  it("replace the audio-function guess (GV008) with the real group (GV009)", () => {
    const text = variant([
      '          - { address: "0000:09:00.1", id: "10de:1aef", resource: nvidia.com/rtx3080-audio }\n',
      "",
    ]);
    expect(lint({ text }).findings.map((finding) => finding.id)).toEqual(["GV008"]);
    const facts = { hosts: { tower1: { iommuGroups: [{ id: 3, endpoints: ["0000:09:00.0"] }] } } };
    expect(lint({ text, facts }).findings).toEqual([]);
  });
});

describe("the registry", () => {
  it("has unique ids GV001… in order, each with a title", () => {
    const ids = RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort());
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^GV\d{3}$/);
      expect(rule.title.length).toBeGreaterThan(10);
    }
    expect(RULE_IDS.has("GV004")).toBe(true);
  });

  it("lints a lab without a renderer for its target on the lab alone", () => {
    const text = BASE.replace("cluster: { namespace: lab,", "cluster: { target: router, namespace: lab,");
    expect(lint({ text: text.replace("cpu: 80%", "cpu: 20") }).findings.map((finding) => finding.id)).toEqual(
      ["GV015"],
    );
  });
});
