// gpuvm console: the VMI's serial console in this terminal. Raw mode while connected, Ctrl-] (like
// virtctl) to leave, and the terminal restored on every way out.
import type { KubeClient } from "../client.js";
import { openSubresource } from "./subresource.js";

export const ESCAPE_BYTE = 0x1d; // Ctrl-]

export interface ConsoleOptions {
  api: KubeClient;
  namespace: string;
  vm: string;
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: NodeJS.WritableStream;
  log: (line: string) => void;
}

/** Resolves when the console ends: "escape" (Ctrl-]) or "closed" (the VMI went away). */
export async function runConsole(opts: ConsoleOptions): Promise<"escape" | "closed"> {
  const socket = await openSubresource({
    api: opts.api,
    namespace: opts.namespace,
    vmi: opts.vm,
    kind: "console",
  });
  opts.log(`connected to the serial console of ${opts.namespace}/${opts.vm}; press Ctrl-] to leave`);
  const raw = opts.input.isTTY === true && typeof opts.input.setRawMode === "function";
  if (raw) opts.input.setRawMode?.(true);
  return new Promise((resolve) => {
    let done = false;
    const finish = (why: "escape" | "closed") => {
      if (done) return;
      done = true;
      opts.input.removeListener("data", onInput);
      opts.input.pause();
      if (raw) opts.input.setRawMode?.(false);
      socket.removeAllListeners("close");
      socket.close();
      resolve(why);
    };
    const onInput = (chunk: Buffer | string) => {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      const at = bytes.indexOf(ESCAPE_BYTE);
      if (at >= 0) {
        if (at > 0) socket.send(bytes.subarray(0, at), { binary: true });
        finish("escape");
        return;
      }
      socket.send(bytes, { binary: true });
    };
    socket.on("message", (data: Buffer) => opts.output.write(data));
    socket.on("close", () => finish("closed"));
    socket.on("error", () => finish("closed"));
    opts.input.on("data", onInput);
    opts.input.resume();
  });
}
