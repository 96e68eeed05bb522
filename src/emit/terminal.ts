// Text that reaches a terminal: control characters from a lab file or a server's reply are shown
// escaped, so that a name holding ESC sequences cannot rewrite the user's terminal or hide a line.

// C0 controls except tab and newline, DEL, and the C1 range (0x80–0x9f, where 0x9b is a one-byte CSI).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` with every control character but tab and newline written as \xNN. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** One value inside a message (a name, a server's word): no control characters and no line breaks. */
export function quoteForMessage(value: string): string {
  return terminalSafe(value).replace(/\n/g, "\\n").replace(/\t/g, "\\t");
}
