// A missing test prerequisite: a skip that says why on a developer's machine, a failure naming it in CI.
import { afterEach, describe, expect, it, vi } from "vitest";
import { requirePrerequisite } from "./prerequisites.js";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("requirePrerequisite", () => {
  it("lets the tests run when the prerequisite is there, in CI or not", () => {
    vi.stubEnv("CI", "true");
    expect(requirePrerequisite("qemu-system-x86_64", true, "the VNC tests run QEMU")).toBe(true);
  });

  it("outside CI: skips, printing the name and why", () => {
    vi.stubEnv("CI", "");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(requirePrerequisite("guest kernel", false, "run bash test/prepare")).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      "[skip] test prerequisite missing: guest kernel: run bash test/prepare",
    );
  });

  it("under CI=true: fails, naming the prerequisite, instead of skipping", () => {
    vi.stubEnv("CI", "true");
    expect(() => requirePrerequisite("pci.ids", false, "install the pci.ids package")).toThrow(
      "test prerequisite missing: pci.ids: install the pci.ids package (CI=true: a missing prerequisite fails the run)",
    );
  });
});
