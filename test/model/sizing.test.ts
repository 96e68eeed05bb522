import { describe, expect, it } from "vitest";
import { formatBytes, GiB, MiB } from "../../src/config/quantity.js";
import { resolveCores, resolveMemoryBytes } from "../../src/model/sizing.js";

describe("sizing: shares of a host resolve to whole cores and whole GiB", () => {
  it("gives the seed's 13 cores / 26Gi for 80% of a 16-CPU / 32Gi host", () => {
    expect(resolveCores("80%", 16)).toBe(13);
    expect(formatBytes(resolveMemoryBytes("80%", 32 * GiB) ?? 0)).toBe("26Gi");
  });

  it("rounds cores to the nearest whole core, halves up, never below one", () => {
    expect(resolveCores("50%", 5)).toBe(3); // 2.5 → 3
    expect(resolveCores("40%", 6)).toBe(2); // 2.4 → 2
    expect(resolveCores("1%", 16)).toBe(1); // 0.16 → 1, not 0
    expect(resolveCores(4, 16)).toBe(4);
  });

  it("rounds memory to the nearest GiB, and to MiB under one GiB", () => {
    expect(resolveMemoryBytes("75%", 3 * GiB)).toBe(2 * GiB); // 2.25Gi → 2Gi
    expect(resolveMemoryBytes("50%", 3 * GiB)).toBe(2 * GiB); // 1.5Gi → 2Gi
    expect(resolveMemoryBytes("10%", 4 * GiB)).toBe(410 * MiB); // 0.4Gi → 409.6Mi → 410Mi
    expect(resolveMemoryBytes("4Gi", 32 * GiB)).toBe(4 * GiB);
  });

  it("formats byte counts in their shortest exact binary unit", () => {
    expect(formatBytes(26 * GiB)).toBe("26Gi");
    expect(formatBytes(410 * MiB)).toBe("410Mi");
    expect(formatBytes(2 * 1024 * GiB)).toBe("2Ti");
  });
});
