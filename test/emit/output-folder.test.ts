// emit/output-folder: what `render --out DIR` writes, lists and removes below DIR.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MANIFEST_NAME } from "../../src/emit/manifest.js";
import { writeOutputFolder } from "../../src/emit/output-folder.js";
import { tempDir } from "../support/temp.js";

const scratch = () => tempDir("gpuvm-out-");
const keep = { prune: false };
const prune = { prune: true };
const files = (...paths: string[]) => paths.map((path) => ({ path, content: `${path} v1\n` }));

describe("writeOutputFolder: nothing outside DIR", () => {
  it.each(["../escape.yaml", "tower1/../../escape.yaml", "/tmp/escape.yaml", "a//b.yaml"])(
    "refuses %j before writing anything",
    async (path) => {
      const parent = scratch();
      const base = join(parent, "out");
      await expect(writeOutputFolder(base, "host", files("ok.yaml", path), keep)).rejects.toThrow(
        /^refusing to write "/,
      );
      expect(readdirSync(parent)).toEqual([]);
    },
  );

  it.each([
    ["the file's own name", "host/tower1/vfio.conf", "file"],
    ["a folder on the way", "host/tower1", "dir"],
    ["the target's folder", "host", "dir"],
    ["the manifest", MANIFEST_NAME, "file"],
  ])("a symbolic link planted at %s never redirects a write", async (_what, planted, kind) => {
    const base = scratch();
    const outside = scratch();
    writeFileSync(join(outside, "vfio.conf"), "precious\n");
    mkdirSync(join(base, "host", "tower1"), { recursive: true });
    const at = join(base, planted);
    // A real folder there is replaced by the link.
    rmSync(at, { recursive: true, force: true });
    symlinkSync(kind === "file" ? join(outside, "vfio.conf") : outside, at);
    await expect(
      writeOutputFolder(base, "host", [{ path: "tower1/vfio.conf", content: "attack\n" }], keep),
    ).rejects.toThrow(/symbolic link/);
    expect(readdirSync(outside)).toEqual(["vfio.conf"]);
    expect(readFileSync(join(outside, "vfio.conf"), "utf8")).toBe("precious\n");
  });

  it("keeps a rewritten file's mode (0640 stays 0640)", async () => {
    const base = scratch();
    await writeOutputFolder(base, "host", files("tower1/vfio.conf"), keep);
    chmodSync(join(base, "host/tower1/vfio.conf"), 0o640);
    await writeOutputFolder(base, "host", [{ path: "tower1/vfio.conf", content: "v2\n" }], keep);
    expect(statSync(join(base, "host/tower1/vfio.conf")).mode & 0o777).toBe(0o640);
  });
});

describe("writeOutputFolder: files gpuvm wrote earlier", () => {
  it("lists a file it no longer renders and leaves it, removes it only with prune", async () => {
    const base = scratch();
    await writeOutputFolder(base, "host", files("a.yaml", "tower1/etc/modprobe.d/vfio.conf"), keep);
    const listed = await writeOutputFolder(base, "host", files("a.yaml"), keep);
    expect(listed).toMatchObject({ written: 1, stale: ["tower1/etc/modprobe.d/vfio.conf"], removed: [] });
    expect(existsSync(join(base, "host/tower1/etc/modprobe.d/vfio.conf"))).toBe(true);
    // Still listed on the next run: leaving it does not make it the user's.
    expect((await writeOutputFolder(base, "host", files("a.yaml"), keep)).stale).toHaveLength(1);
    const pruned = await writeOutputFolder(base, "host", files("a.yaml"), prune);
    expect(pruned).toMatchObject({ stale: [], removed: ["tower1/etc/modprobe.d/vfio.conf"] });
    // The folders only that file needed go with it.
    expect(readdirSync(join(base, "host"))).toEqual(["a.yaml"]);
    expect(JSON.parse(readFileSync(join(base, MANIFEST_NAME), "utf8")).files).toEqual({
      "host/a.yaml": expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
  });

  it("never removes a file the user put there, or one edited since gpuvm wrote it, and says so", async () => {
    const base = scratch();
    await writeOutputFolder(base, "host", files("a.yaml", "b.yaml"), keep);
    writeFileSync(join(base, "host/mine.txt"), "the user's\n");
    writeFileSync(join(base, "host/b.yaml"), "edited by the user\n");
    const result = await writeOutputFolder(base, "host", files("a.yaml"), prune);
    expect(result).toMatchObject({ removed: [], stale: [], keptEdited: ["b.yaml"] });
    expect(readFileSync(join(base, "host/mine.txt"), "utf8")).toBe("the user's\n");
    expect(readFileSync(join(base, "host/b.yaml"), "utf8")).toBe("edited by the user\n");
  });

  it("says when a file it renders again had been edited, or was not its own", async () => {
    const base = scratch();
    await writeOutputFolder(base, "host", files("a.yaml"), keep);
    writeFileSync(join(base, "host/a.yaml"), "edited\n");
    writeFileSync(join(base, "host/b.yaml"), "not gpuvm's\n");
    const result = await writeOutputFolder(base, "host", files("a.yaml", "b.yaml"), keep);
    expect(result).toMatchObject({ replacedEdited: ["a.yaml"], replacedUnrecorded: ["b.yaml"] });
  });

  it("keeps other targets' entries: each render looks after its own folder", async () => {
    const base = scratch();
    await writeOutputFolder(base, "router", files("leases.uci"), keep);
    await writeOutputFolder(base, "host", files("a.yaml"), prune);
    expect(readFileSync(join(base, "router/leases.uci"), "utf8")).toBe("leases.uci v1\n");
    expect(Object.keys(JSON.parse(readFileSync(join(base, MANIFEST_NAME), "utf8")).files)).toEqual([
      "host/a.yaml",
      "router/leases.uci",
    ]);
  });

  it("acts on no manifest entry that points outside DIR", async () => {
    const parent = scratch();
    const base = join(parent, "out");
    await writeOutputFolder(base, "host", files("a.yaml"), keep);
    writeFileSync(join(parent, "victim"), "host/a.yaml v1\n");
    const manifest = JSON.parse(readFileSync(join(base, MANIFEST_NAME), "utf8"));
    manifest.files["host/../../victim"] = manifest.files["host/a.yaml"];
    writeFileSync(join(base, MANIFEST_NAME), JSON.stringify(manifest));
    const result = await writeOutputFolder(base, "host", files("b.yaml"), prune);
    expect(result.notes[0]).toMatch(/is not a manifest gpuvm can use \(entry "host\/..\/..\/victim"\)/);
    expect(result.removed).toEqual([]);
    expect(readFileSync(join(parent, "victim"), "utf8")).toBe("host/a.yaml v1\n");
    expect(existsSync(join(base, "host/a.yaml"))).toBe(true);
  });

  it("sets aside a manifest that holds JSON null, as any other unusable manifest", async () => {
    const base = join(scratch(), "out");
    await writeOutputFolder(base, "host", files("a.yaml"), keep);
    writeFileSync(join(base, MANIFEST_NAME), "null");
    const result = await writeOutputFolder(base, "host", files("b.yaml"), prune);
    expect(result.notes[0]).toMatch(/is not a manifest gpuvm can use \(not version 1 with a files map\)/);
    expect(result.removed).toEqual([]);
  });
});
