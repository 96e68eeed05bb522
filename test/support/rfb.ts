// A minimal VNC (RFB 3.8) client for tests: handshake with security type None, ClientInit/ServerInit,
// then one full FramebufferUpdateRequest, answering what the server sent back.
import { connect, type Socket } from "node:net";

export interface RfbSession {
  version: string;
  width: number;
  height: number;
  name: string;
  /** Rectangles in the first FramebufferUpdate. */
  rectangles: number;
}

class Reader {
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private ended = false;
  constructor(socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiting?.();
    });
    socket.on("close", () => {
      this.ended = true;
      this.waiting?.();
    });
  }
  async read(n: number): Promise<Buffer> {
    while (this.buffer.length < n) {
      if (this.ended) throw new Error(`connection closed after ${this.buffer.length} of ${n} bytes`);
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }
}

export async function rfbHandshake(
  port: number,
  host = "127.0.0.1",
  timeoutMs = 60_000,
): Promise<RfbSession> {
  const socket = connect(port, host);
  const timer = setTimeout(() => socket.destroy(new Error("RFB handshake timed out")), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const reader = new Reader(socket);
    const version = (await reader.read(12)).toString("latin1");
    if (!version.startsWith("RFB ")) throw new Error(`not an RFB server: ${JSON.stringify(version)}`);
    socket.write("RFB 003.008\n");
    const count = (await reader.read(1))[0] ?? 0;
    if (count === 0) throw new Error("server refused the connection");
    const types = [...(await reader.read(count))];
    if (!types.includes(1)) throw new Error(`no security type None offered: ${types}`);
    socket.write(Buffer.from([1]));
    const result = (await reader.read(4)).readUInt32BE(0);
    if (result !== 0) throw new Error(`security handshake failed: ${result}`);
    socket.write(Buffer.from([1])); // ClientInit, shared
    const init = await reader.read(24);
    const width = init.readUInt16BE(0);
    const height = init.readUInt16BE(2);
    const name = (await reader.read(init.readUInt32BE(20))).toString("utf8");
    const request = Buffer.alloc(10);
    request[0] = 3; // FramebufferUpdateRequest, not incremental
    request.writeUInt16BE(width, 6);
    request.writeUInt16BE(height, 8);
    socket.write(request);
    const update = await reader.read(4);
    if (update[0] !== 0) throw new Error(`expected a FramebufferUpdate, got message type ${update[0]}`);
    return { version: version.trim(), width, height, name, rectangles: update.readUInt16BE(2) };
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}
