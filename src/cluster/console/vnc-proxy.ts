// gpuvm vnc: a local TCP listener (loopback unless told otherwise) that connects each VNC client to the
// VM's current VMI. Each client resolves the VMI anew, so after a reboot (a new VMI) the next client just
// works; a client arriving while the VMI is down is held and retried instead of being refused.

import { createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { GpuvmError } from "../../errors.js";
import type { KubeClient } from "../client.js";
import { liveInstance } from "../vm-lookup.js";
import { bridge, openSubresource, SubresourceError } from "./subresource.js";

export interface VncProxyOptions {
  api: KubeClient;
  namespace: string;
  /** The VirtualMachine (its VMI has the same name). */
  vm: string;
  address?: string;
  port?: number;
  /** How long a client waits for the VMI to come up, in ms (default 120 s). */
  waitMs?: number;
  retryEveryMs?: number;
  log: (line: string) => void;
}

export interface VncProxy {
  address: string;
  port: number;
  /** Clients connected right now. */
  readonly clients: number;
  close(): Promise<void>;
}

export async function startVncProxy(opts: VncProxyOptions): Promise<VncProxy> {
  const waitMs = opts.waitMs ?? 120_000;
  const retryEveryMs = opts.retryEveryMs ?? 2_000;
  const open = new Set<Socket>();
  let clientCount = 0;
  let closing = false;

  async function serve(client: Socket, id: number): Promise<void> {
    client.pause();
    const deadline = Date.now() + waitMs;
    for (let attempt = 1; ; attempt++) {
      if (closing || client.destroyed) return;
      const vmi = await liveInstance(opts.api, opts.namespace, opts.vm).catch(() => undefined);
      if (vmi?.status?.phase === "Running") {
        try {
          const socket = await openSubresource({
            api: opts.api,
            namespace: opts.namespace,
            vmi: opts.vm,
            kind: "vnc",
          });
          opts.log(
            `client ${id}: connected to ${opts.namespace}/${opts.vm} (VMI ${vmi.metadata?.uid ?? "?"})`,
          );
          bridge(socket, client, () => opts.log(`client ${id}: disconnected`));
          client.resume();
          return;
        } catch (error) {
          const message = error instanceof SubresourceError ? error.message : String(error);
          opts.log(`client ${id}: ${message}`);
        }
      } else {
        opts.log(
          `client ${id}: ${opts.namespace}/${opts.vm} is ${vmi ? `${vmi.status?.phase ?? "starting"}` : "not running"}; ` +
            `retrying every ${retryEveryMs / 1000} s (attempt ${attempt})`,
        );
      }
      if (Date.now() + retryEveryMs > deadline) {
        opts.log(
          `client ${id}: gave up after ${Math.round(waitMs / 1000)} s; connect again once the VM runs`,
        );
        client.destroy();
        return;
      }
      await sleep(retryEveryMs);
    }
  }

  const server: Server = createServer((client) => {
    const id = ++clientCount;
    open.add(client);
    client.on("close", () => open.delete(client));
    client.on("error", () => client.destroy());
    void serve(client, id);
  });
  const address = opts.address ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, address, () => resolve());
  });
  const bound = server.address();
  if (!bound || typeof bound === "string") throw new GpuvmError("the VNC listener has no port");
  return {
    address: bound.address,
    port: bound.port,
    get clients() {
      return open.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const client of open) client.destroy();
        server.close(() => resolve());
      }),
  };
}
