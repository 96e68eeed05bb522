// emit/safe-path: no rendered path leaves its output folder, whatever names the lab file holds.
import { describe, expect, it } from "vitest";
import { outputPathSegments } from "../../src/emit/safe-path.js";

describe("outputPathSegments", () => {
  it("splits a plain relative path into its names", () => {
    expect(outputPathSegments("tower1/etc/modprobe.d/vfio.conf")).toEqual([
      "tower1",
      "etc",
      "modprobe.d",
      "vfio.conf",
    ]);
    expect(outputPathSegments("..hidden/a..b")).toEqual(["..hidden", "a..b"]);
  });

  it.each([
    ["", "the path is empty"],
    ["/etc/passwd", "absolute"],
    ["../escape.yaml", 'a ".." segment'],
    ["tower1/../../etc/x", 'a ".." segment'],
    ["./x", 'a "." segment'],
    ["a//b", "an empty segment"],
    ["a/", "an empty segment"],
    ["a\\..\\b", 'holds a "\\"'],
    ["a\0b", "NUL"],
  ])("refuses %j with a clear reason", (path, reason) => {
    expect(() => outputPathSegments(path)).toThrow(reason);
    expect(() => outputPathSegments(path)).toThrow(/^refusing to write "/);
  });
});
