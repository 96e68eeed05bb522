// The KubeVirt CR lists exactly the gates the declared version still needs for what the lab uses.
import { describe, expect, it } from "vitest";
import { parseModel } from "../../src/model/index.js";
import { featureGates } from "../../src/render/cluster-config.js";
import { exampleText } from "../support/labs.js";

function gatesFor(version: string): string[] {
  const text = exampleText("homelab").replace("kubevirt: v1.6.3", `kubevirt: ${version}`);
  return featureGates(parseModel(text, "homelab.yaml"));
}

describe("feature gates by KubeVirt version", () => {
  it("v1.6.3 (the seed): HostDevices and VideoConfig; persistent state is GA there", () => {
    expect(gatesFor("v1.6.3")).toEqual(["HostDevices", "VideoConfig"]);
  });

  it("v1.5: the Windows 11 TPM and Secure Boot state still need VMPersistentState", () => {
    expect(gatesFor("v1.5.2")).toEqual(["HostDevices", "VideoConfig", "VMPersistentState"]);
  });

  it("v1.9: VideoConfig is GA, only HostDevices remains", () => {
    expect(gatesFor("v1.9.0")).toEqual(["HostDevices"]);
  });

  it("no GPU passed and no video type set: no gates at all", () => {
    const text = exampleText("homelab")
      .replaceAll(", gpus: [rtx3080]", "")
      .replace("graphics: { vnc: true, video: vga }", "graphics: { vnc: true }");
    expect(featureGates(parseModel(text, "homelab.yaml"))).toEqual([]);
  });
});
