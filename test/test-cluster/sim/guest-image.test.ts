// The serial-console guest's kernel comes from the test cache prepare-qemu fills, never from /boot.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tempDir } from "../../support/temp.js";
import { findKernel, guestKernelDir } from "./guest-image.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("guest kernel", () => {
  it("is looked for in $XDG_CACHE_HOME/gpuvm/guest-kernel, where prepare-qemu puts it", () => {
    const cache = tempDir("gpuvm-guest-cache-");
    vi.stubEnv("XDG_CACHE_HOME", cache);
    expect(guestKernelDir()).toBe(join(cache, "gpuvm", "guest-kernel"));
    expect(findKernel()).toBeUndefined();
    mkdirSync(guestKernelDir(), { recursive: true });
    for (const version of ["6.1.0-9-amd64", "6.1.0-57-amd64"]) {
      writeFileSync(join(guestKernelDir(), `vmlinuz-${version}`), "kernel");
    }
    expect(findKernel()).toBe(join(cache, "gpuvm", "guest-kernel", "vmlinuz-6.1.0-57-amd64"));
  });
});
