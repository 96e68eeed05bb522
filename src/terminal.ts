// Text that reaches a terminal: control characters from a lab file or a server's reply are shown
// escaped, so that a name holding ESC sequences cannot rewrite the user's terminal or hide a line.

// C0 controls except tab and newline, DEL, and the C1 range (0x80–0x9f, where 0x9b is a one-byte CSI).
// A carriage return is kept only right before a newline (CRLF ends lines in raw mode); alone it could
// move back over a line and hide it.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

const hex = (char: string) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;

/** `text` with every control character but tab, newline and CRLF written as \xNN. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, hex);
}

/** One value inside a message (a name, a server's word): no control characters and no line breaks. */
export function quoteForMessage(value: string): string {
  return terminalSafe(value.replace(/\r/g, "\\r")).replace(/\n/g, "\\n").replace(/\t/g, "\\t");
}

/**
 * JSON for a terminal or a pipe: JSON.stringify leaves DEL and the C1 controls (0x9b is a one-byte CSI)
 * as they are; written as \u00XX they stay the same JSON value and cannot act on a terminal.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Rows as aligned columns (two spaces apart), every cell one safe line, so escapes keep the alignment. */
export function formatTable(rows: string[][]): string {
  const safe = rows.map((row) => row.map(quoteForMessage));
  const widths: number[] = [];
  for (const row of safe) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return safe
    .map(
      (row) =>
        `${row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join("  ")
          .trimEnd()}\n`,
    )
    .join("");
}
