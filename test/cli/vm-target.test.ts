// Which VM and mode the iso, console and vnc commands act on, from the name the user typed.
import { describe, expect, it } from "vitest";
import { type ClusterContext, vmTarget } from "../../src/cli/cluster-options.js";
import { exampleLab } from "../support/labs.js";

// vmTarget reads only the lab and the namespace; no cluster is reached.
const ctx = { namespace: "gaming", context: "test", lab: exampleLab("homelab") } as unknown as ClusterContext;

describe("vmTarget", () => {
  it("keeps the mode a VirtualMachine name carries (console gaming-live acts on live)", () => {
    expect(vmTarget(ctx, "gaming-live")).toMatchObject({ vm: "gaming", mode: "live" });
    expect(vmTarget(ctx, "gaming-maintenance")).toMatchObject({ vm: "gaming", mode: "maintenance" });
  });

  it("leaves the mode open for a lab VM name, and --mode wins over the name", () => {
    expect(vmTarget(ctx, "gaming").mode).toBeUndefined();
    expect(vmTarget(ctx, "gaming-live", "maintenance").mode).toBe("maintenance");
  });

  it("passes an unknown name on for the cluster to resolve", () => {
    expect(vmTarget(ctx, "elsewhere")).toEqual({ namespace: "gaming", vm: "elsewhere" });
  });
});
