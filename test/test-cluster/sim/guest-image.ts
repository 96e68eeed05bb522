/**
 * A tiny Linux guest for the serial-console tests (test code only): Debian's kernel, which
 * test/test-cluster/sim/prepare-qemu takes out of its package into the test cache (never installed, never
 * read from /boot), and an initramfs written here in cpio "newc" format holding a static busybox,
 * /dev/console and an /init that prints a marker and then runs a shell on the console.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const GUEST_MARKER = "GPUVM-GUEST-READY";

function pad4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

interface Entry {
  name: string;
  mode: number;
  data?: Buffer;
  rdev?: [number, number];
}

function cpioEntry(entry: Entry, ino: number): Buffer {
  const data = entry.data ?? Buffer.alloc(0);
  const name = Buffer.from(`${entry.name}\0`, "latin1");
  const fields = [
    ino,
    entry.mode,
    0,
    0,
    1,
    0,
    data.length,
    0,
    0,
    entry.rdev?.[0] ?? 0,
    entry.rdev?.[1] ?? 0,
    name.length,
    0,
  ];
  const header = Buffer.from(
    `070701${fields.map((f) => f.toString(16).padStart(8, "0")).join("")}`,
    "latin1",
  );
  const headed = Buffer.concat([header, name]);
  return Buffer.concat([headed, pad4(headed.length), data, pad4(data.length)]);
}

export function buildInitramfs(busyboxPath = "/bin/busybox"): Buffer {
  const init = [
    "#!/bin/busybox sh",
    "/bin/busybox mkdir -p /proc /sys",
    "/bin/busybox mount -t proc proc /proc",
    `/bin/busybox echo ${GUEST_MARKER}`,
    "export PATH=/bin",
    "/bin/busybox --install -s /bin",
    "exec /bin/busybox sh",
    "",
  ].join("\n");
  const entries: Entry[] = [
    { name: "bin", mode: 0o040755 },
    { name: "dev", mode: 0o040755 },
    // The kernel opens /dev/console for init's stdio before /init runs.
    { name: "dev/console", mode: 0o020600, rdev: [5, 1] },
    { name: "bin/busybox", mode: 0o100755, data: readFileSync(busyboxPath) },
    { name: "init", mode: 0o100755, data: Buffer.from(init) },
    { name: "TRAILER!!!", mode: 0 },
  ];
  const body = Buffer.concat(entries.map((entry, i) => cpioEntry(entry, i + 1)));
  return Buffer.concat([body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

/** Where prepare-qemu puts the guest kernel: the same cache as the built API server's. */
export function guestKernelDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "gpuvm", "guest-kernel");
}

/** The cached guest kernel (vmlinuz-<version>), or undefined before prepare-qemu ran. */
export function findKernel(dir = guestKernelDir()): string | undefined {
  if (!existsSync(dir)) return undefined;
  const kernel = readdirSync(dir)
    .filter((name) => name.startsWith("vmlinuz-"))
    // Numeric: 6.1.0-57 is newer than 6.1.0-9.
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .at(-1);
  return kernel ? join(dir, kernel) : undefined;
}

/** A static busybox (busybox-static), or undefined. */
export function findBusybox(): string | undefined {
  return ["/bin/busybox", "/usr/bin/busybox"].find((path) => existsSync(path));
}

export function writeInitramfs(path: string): void {
  const busybox = findBusybox();
  if (!busybox) throw new Error("busybox not found (apt-get install busybox-static)");
  writeFileSync(path, buildInitramfs(busybox));
}
