// gpuvm vnc VM [--port N] [--address A] [--open]
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import type { Command } from "commander";
import { KubeVirtEngine } from "../engine/kubevirt.js";
import { addVmClusterOptions, type ClusterFlags, clusterContext, vmTarget } from "./cluster-options.js";
import { type Io, UsageError } from "./io.js";

interface VncFlags extends ClusterFlags {
  port: string;
  address: string;
  open?: boolean;
  mode?: string;
}

/** Starts the first VNC viewer found; answers its name, or undefined when none is installed. */
function openViewer(address: string, port: number): string | undefined {
  const host = address.includes(":") ? `[${address}]` : address;
  const candidates: [string, string[]][] = [
    ["vncviewer", [`${host}::${port}`]],
    ["remote-viewer", [`vnc://${host}:${port}`]],
    [process.platform === "darwin" ? "open" : "xdg-open", [`vnc://${host}:${port}`]],
  ];
  for (const [command, args] of candidates) {
    const found = (process.env.PATH ?? "").split(":").some((dir) => {
      try {
        accessSync(`${dir}/${command}`, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    if (!found) continue;
    spawn(command, args, { stdio: "ignore", detached: true }).unref();
    return command;
  }
  return undefined;
}

export function registerVnc(program: Command, io: Io): void {
  addVmClusterOptions(
    program
      .command("vnc")
      .description(
        "serve a VM's VNC display on a local port; survives reboots (each client reaches the current VMI)",
      )
      .argument("<vm>", "VM name from the lab (or a VirtualMachine name)")
      .option("--port <n>", "local port (0: any free port)", "5900")
      .option(
        "--address <ip>",
        "address to listen on (anything but loopback exposes the display)",
        "127.0.0.1",
      )
      .option("--mode <mode>", "live or maintenance (default: the one running, else the lab's default)")
      .option("--open", "start a VNC viewer (vncviewer, remote-viewer or xdg-open vnc://)"),
  ).action(async (vm: string, flags: VncFlags) => {
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port ${flags.port} is not a port`);
    const ctx = await clusterContext(flags);
    const log = (line: string) => io.err(`${line}\n`);
    const proxy = await new KubeVirtEngine(ctx).serveVnc(
      vmTarget(ctx, vm, flags.mode),
      { address: flags.address, port },
      { report: log },
    );
    if (!["127.0.0.1", "::1", "localhost"].includes(flags.address)) {
      log(
        `warning: listening on ${flags.address}: anyone who reaches this port sees and controls the VM's screen`,
      );
    }
    io.out(`VNC for ${ctx.namespace}/${proxy.vm} on ${proxy.address}:${proxy.port} (Ctrl-C to stop)\n`);
    if (flags.open) {
      const viewer = openViewer(proxy.address, proxy.port);
      log(
        viewer
          ? `started ${viewer}`
          : "no VNC viewer found (vncviewer, remote-viewer, xdg-open); connect one yourself",
      );
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void proxy.close().then(resolve);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
  });
}
