// The upload progress bar (bytes, rate, ETA) on a terminal; plain lines elsewhere, so logs stay readable.
import { SingleBar } from "cli-progress";
import type { UploadReporter } from "../cluster/iso/upload.js";
import type { Io } from "./io.js";

function human(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function uploadReporter(io: Io, stream: NodeJS.WriteStream = process.stderr): UploadReporter {
  const tty = stream.isTTY === true;
  let bar: SingleBar | undefined;
  let started = 0;
  let total = 0;
  let last = 0;
  return {
    info: (line) => io.err(`${line}\n`),
    start(size) {
      total = size;
      started = Date.now();
      last = 0;
      if (!tty) return;
      bar = new SingleBar({
        stream,
        format: "uploading [{bar}] {percentage}% | {sent} of {size} | {rate} | ETA {eta_formatted}",
        hideCursor: true,
        etaBuffer: 50,
      });
      bar.start(size, 0, { sent: human(0), size: human(size), rate: "–" });
    },
    progress(sent) {
      last = sent;
      if (!bar) return;
      const seconds = (Date.now() - started) / 1000;
      bar.update(sent, { sent: human(sent), rate: seconds > 0 ? `${human(sent / seconds)}/s` : "–" });
    },
    stop() {
      bar?.stop();
      bar = undefined;
      const seconds = (Date.now() - started) / 1000;
      if (!tty && total > 0) {
        io.err(
          `sent ${human(last)} of ${human(total)} in ${seconds.toFixed(1)} s (${human(last / Math.max(seconds, 0.001))}/s)\n`,
        );
      }
    },
  };
}
