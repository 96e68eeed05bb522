// The identity prune selects on: one per lab on a cluster, and always a valid label value.
import { describe, expect, it } from "vitest";
import { labIdentity } from "../../src/render/labels.js";

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

describe("a lab's identity", () => {
  it("tells apart two labs with one name in two namespaces", () => {
    expect(labIdentity("gaming", "homelab")).toBe("gaming.homelab");
    expect(labIdentity("office", "homelab")).not.toBe(labIdentity("gaming", "homelab"));
  });

  it("never joins two pairs into one (a namespace has no dot)", () => {
    expect(labIdentity("a-b", "c")).not.toBe(labIdentity("a", "b-c"));
    expect(labIdentity("a", "b.c")).not.toBe(labIdentity("a-b", "c"));
  });

  it("hashes a pair too long for a label value into a form no short pair takes", () => {
    const long = "n".repeat(40);
    const id = labIdentity(long, long);
    expect(id).toMatch(/^h-[0-9a-f]{40}$/);
    expect(id).toMatch(LABEL_VALUE);
    expect(labIdentity(long, `${long}x`)).not.toBe(id);
    expect(labIdentity("gaming", "homelab")).toMatch(LABEL_VALUE);
  });
});
