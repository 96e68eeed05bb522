// An error that is not a GpuvmError is a bug in gpuvm or a failure below it: the CLI still ends with one
// line and exit 1, and shows the stack (with its causes) only when GPUVM_DEBUG is set.
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../support/cli.js";

vi.mock("../../src/cli/cluster-options.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/cli/cluster-options.js")>();
  return {
    ...original,
    clusterContext: () => {
      throw new TypeError("cannot read properties of undefined (reading 'items')", {
        cause: new RangeError("below"),
      });
    },
  };
});

const before = process.env.GPUVM_DEBUG;
afterEach(() => {
  if (before === undefined) delete process.env.GPUVM_DEBUG;
  else process.env.GPUVM_DEBUG = before;
});

describe("an error gpuvm did not expect", () => {
  it("ends with its message on one line and exit 1, without a stack trace", async () => {
    delete process.env.GPUVM_DEBUG;
    const result = await runCli("iso", "list", "-n", "lab");
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: "gpuvm: cannot read properties of undefined (reading 'items')\n",
    });
  });

  it("shows the stack and its cause with GPUVM_DEBUG", async () => {
    process.env.GPUVM_DEBUG = "1";
    const result = await runCli("iso", "list", "-n", "lab");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^TypeError: cannot read properties .*\n\s+at /m);
    expect(result.stderr).toMatch(/^caused by: RangeError: below\n\s+at /m);
  });
});
