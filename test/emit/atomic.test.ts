// emit/atomic: the one writer every gpuvm file goes through.
import {
  chmodSync,
  chownSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FileExistsError, writeFileAtomic } from "../../src/emit/atomic.js";
import { requirePrerequisite } from "../support/prerequisites.js";
import { tempDir } from "../support/temp.js";

// Lets a test choose the "random" part of the temporary name, or act at the moment it is drawn.
const hooks = vi.hoisted(() => ({ onRandom: undefined as undefined | ((size: number) => Buffer) }));
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  return {
    ...actual,
    randomBytes: (size: number) => hooks.onRandom?.(size) ?? actual.randomBytes(size),
  };
});
afterEach(() => {
  hooks.onRandom = undefined;
});

const scratch = () => tempDir("gpuvm-atomic-");

describe("writeFileAtomic", () => {
  it("keeps an existing file's mode (0640 stays 0640)", async () => {
    const file = join(scratch(), "cluster.yaml");
    writeFileSync(file, "old\n");
    chmodSync(file, 0o640);
    await writeFileAtomic(file, "new\n");
    expect(readFileSync(file, "utf8")).toBe("new\n");
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  const root = requirePrerequisite(
    "root (file owners)",
    process.getuid?.() === 0,
    "the owner-keeping test gives a file to another user (chown); run the tests as root",
  );
  it.runIf(root)("keeps an existing file's owner and group when run as root", async () => {
    const file = join(scratch(), "cluster.yaml");
    writeFileSync(file, "old\n");
    chownSync(file, 4321, 4322);
    await writeFileAtomic(file, "new\n");
    expect(statSync(file)).toMatchObject({ uid: 4321, gid: 4322 });
  });

  it("gives a new file the mode open(2) would (0666 less the umask), not the temporary file's 0600", async () => {
    const file = join(scratch(), "new.yaml");
    await writeFileAtomic(file, "x\n");
    expect(statSync(file).mode & 0o777).toBe(0o666 & ~process.umask());
  });

  it("refuses a symbolic link at the target: the file it points to stays as it was", async () => {
    const dir = scratch();
    const outside = join(scratch(), "victim");
    writeFileSync(outside, "precious\n");
    symlinkSync(outside, join(dir, "cluster.yaml"));
    await expect(writeFileAtomic(join(dir, "cluster.yaml"), "attack\n")).rejects.toThrow(
      /cluster\.yaml is a symbolic link \(to .*victim\); gpuvm neither writes through a link nor replaces it/,
    );
    expect(readFileSync(outside, "utf8")).toBe("precious\n");
    expect(readdirSync(dir)).toEqual(["cluster.yaml"]);
  });

  it("never follows a symbolic link planted at the temporary name", async () => {
    const dir = scratch();
    const outside = join(scratch(), "victim");
    writeFileSync(outside, "precious\n");
    // The fixed name older versions used, and the exact random name this run will draw.
    hooks.onRandom = (size) => Buffer.alloc(size, 0xab);
    const drawn = `.lab.yaml.${"ab".repeat(8)}.gpuvm-tmp`;
    for (const name of ["lab.yaml.gpuvm-tmp", drawn]) symlinkSync(outside, join(dir, name));
    await expect(writeFileAtomic(join(dir, "lab.yaml"), "attack\n")).rejects.toThrow(
      /cannot create a temporary file beside .*lab\.yaml: EEXIST/,
    );
    expect(readFileSync(outside, "utf8")).toBe("precious\n");
    expect(readdirSync(dir).sort()).toEqual([drawn, "lab.yaml.gpuvm-tmp"].sort());
  });

  it("draws a new temporary name when one is taken by chance", async () => {
    const dir = scratch();
    let calls = 0;
    hooks.onRandom = (size) => Buffer.alloc(size, calls++ === 0 ? 0xab : 0xcd);
    writeFileSync(join(dir, `.lab.yaml.${"ab".repeat(8)}.gpuvm-tmp`), "someone's\n");
    await writeFileAtomic(join(dir, "lab.yaml"), "mine\n");
    expect(readFileSync(join(dir, "lab.yaml"), "utf8")).toBe("mine\n");
    expect(readFileSync(join(dir, `.lab.yaml.${"ab".repeat(8)}.gpuvm-tmp`), "utf8")).toBe("someone's\n");
  });

  it("with overwrite: false, a file that appears while writing is kept and the temporary file removed", async () => {
    const dir = scratch();
    const file = join(dir, "lab.yaml");
    // Someone creates the file between gpuvm's look and its placing the new one.
    hooks.onRandom = (size) => {
      writeFileSync(file, "theirs\n");
      return Buffer.alloc(size, 0x11);
    };
    await expect(writeFileAtomic(file, "mine\n", { overwrite: false })).rejects.toBeInstanceOf(
      FileExistsError,
    );
    expect(readFileSync(file, "utf8")).toBe("theirs\n");
    expect(readdirSync(dir)).toEqual(["lab.yaml"]);
  });
});
