// Test prerequisites that npm does not install (QEMU, the guest kernel, busybox, root for the network
// namespace, pci.ids; `bash test/prepare` provides them). Outside CI a missing one skips the tests that
// need it and prints why; under CI=true it fails the run naming it, so a CI machine that lost one never
// passes by silently skipping what it was meant to test.

export function underCi(): boolean {
  return process.env.CI === "true" || process.env.CI === "1";
}

/**
 * Whether the tests needing `name` can run. `why` says what needs it and what provides it. Call it where
 * the tests are declared (`describe.runIf(requirePrerequisite(...))`) or inside a test (`ctx.skip()`
 * when it answers false): under CI a missing prerequisite throws there, failing that file or test.
 */
export function requirePrerequisite(name: string, present: boolean, why: string): boolean {
  if (present) return true;
  const message = `test prerequisite missing: ${name}: ${why}`;
  if (underCi()) throw new Error(`${message} (CI=true: a missing prerequisite fails the run)`);
  console.warn(`[skip] ${message}`);
  return false;
}
