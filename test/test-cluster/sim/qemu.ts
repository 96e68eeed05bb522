/**
 * A real QEMU (TCG, no KVM needed) standing in for a VMI's domain in tests: its VNC server and serial port
 * on unix sockets, which the simulated subresource API bridges to. Test code only.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { stopProcess } from "../process.js";

export interface QemuGuest {
  vncSocket: string;
  serialSocket: string;
  stop(): Promise<void>;
}

export function qemuBinary(): string | undefined {
  try {
    return (
      execFileSync("sh", ["-c", "command -v qemu-system-x86_64"], { encoding: "utf8" }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

async function waitForSocket(
  path: string,
  timeoutMs: number,
  child: ChildProcess,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`qemu exited with ${child.exitCode}: ${log()}`);
    if (existsSync(path)) {
      const ok = await new Promise<boolean>((resolve) => {
        const socket = connect(path, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on("error", () => resolve(false));
      });
      if (ok) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`qemu did not open ${path} within ${timeoutMs} ms: ${log()}`);
}

/**
 * Starts QEMU in `dir` with sockets named after `name`. With `kernel`/`initrd` it boots that guest on the
 * serial console; without, the firmware (SeaBIOS) still draws its screen on VNC.
 */
export async function startQemu(opts: {
  dir: string;
  name: string;
  kernel?: string;
  initrd?: string;
}): Promise<QemuGuest> {
  const binary = qemuBinary();
  if (!binary) throw new Error("qemu-system-x86_64 not found (apt-get install qemu-system-x86)");
  const vncSocket = join(opts.dir, `${opts.name}.vnc`);
  // Serial: QEMU listens; wait=off so it boots before anyone connects (what virt-launcher exposes).
  const serialSocket = join(opts.dir, `${opts.name}.serial`);
  const args = qemuArgs(vncSocket, serialSocket, opts);
  const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await waitForSocket(vncSocket, 30_000, child, () => stderr);
    await waitForSocket(serialSocket, 30_000, child, () => stderr);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    vncSocket,
    serialSocket,
    stop: () => stopProcess(child, exited, 5000),
  };
}

/** A small TCG machine with no devices but a VGA card, VNC and the serial port on unix sockets. */
function qemuArgs(
  vncSocket: string,
  serialSocket: string,
  opts: { kernel?: string; initrd?: string },
): string[] {
  const args = [
    "-accel",
    "tcg",
    "-nodefaults",
    "-no-user-config",
    "-m",
    "256",
    "-display",
    "none",
    "-vga",
    "std",
    "-vnc",
    `unix:${vncSocket}`,
    "-serial",
    `unix:${serialSocket},server=on,wait=off`,
    "-monitor",
    "none",
  ];
  if (opts.kernel && opts.initrd) {
    args.push("-kernel", opts.kernel, "-initrd", opts.initrd, "-append", "console=ttyS0 quiet panic=-1");
  }
  return args;
}
