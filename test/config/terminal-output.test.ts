// Text from a lab file reaches the terminal escaped: a key or value holding an ESC sequence (here one
// that would retitle the terminal window) or a line break cannot act on the user's terminal or pass
// for another line, in validate's problems, in lint's findings, or in the lint gate of validate.
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { tempFile } from "../support/temp.js";
import { edit } from "./support.js";

const OSC_TITLE = "\\e]0;owned\\a"; // YAML double-quoted escapes for ESC ] 0 ; … BEL
const labFile = (text: string) => tempFile("lab.yaml", text, "gpuvm-terminal-");

/** True when `text` holds a control character other than newline. */
const hasControl = (text: string) =>
  [...text].some((char) => char !== "\n" && (char < " " || (char >= "\x7f" && char <= "\x9f")));

describe("lab text in messages", () => {
  it("validate: a key holding an ESC sequence and a line break prints escaped, on one line", async () => {
    const file = labFile(
      edit("  gaming:\n", `  "gam${OSC_TITLE}\\n${"x"}.yaml:1:1: fine":\n    os: linux\n  gaming:\n`),
    );
    const result = await runCli("validate", "-f", file);
    expect(result.code).toBe(1);
    expect(hasControl(result.stderr)).toBe(false);
    expect(result.stderr).toContain("gam\\x1b]0;owned\\x07\\nx.yaml:1:1: fine");
    // One problem, one line: the line break inside the key did not start a second one.
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("lint: a MAC holding an ESC sequence and a line break prints escaped, in its own finding", async () => {
    const file = labFile(
      edit('mac: "8a:d3:14:ca:21:70"', `mac: "${OSC_TITLE}\\nfake.yaml:1:1: info GV000: fine"`),
    );
    const result = await runCli("lint", "-f", file);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'error GV019: MAC "\\x1b]0;owned\\x07\\nfake.yaml:1:1: info GV000: fine" of VM "gaming"',
    );
    expect(hasControl(result.stdout)).toBe(false);
    // No line the file wrote: every line is a finding, its fix, or the summary.
    expect(result.stdout.split("\n").filter((line) => line.startsWith("fake.yaml"))).toEqual([]);
    // The JSON output keeps the value, escaped as JSON, so scripts read what the file holds.
    const json = await runCli("lint", "-f", file, "-o", "json");
    expect(hasControl(json.stdout)).toBe(false);
    const findings: { id: string; message: string }[] = JSON.parse(json.stdout).findings;
    expect(findings.find((finding) => finding.id === "GV019")?.message).toContain(
      "\x1b]0;owned\x07\nfake.yaml",
    );
  });

  it("lint -o json stays valid JSON when a value holds a one-byte CSI (0x9b)", async () => {
    const file = labFile(edit('mac: "8a:d3:14:ca:21:70"', 'mac: "8a:d3:\\x9b2J"'));
    const json = await runCli("lint", "-f", file, "-o", "json");
    expect(hasControl(json.stdout)).toBe(false);
    expect(json.stdout).toContain("8a:d3:\\u009b2J");
    const findings: { id: string; message: string }[] = JSON.parse(json.stdout).findings;
    expect(findings.find((finding) => finding.id === "GV019")?.message).toContain("8a:d3:\x9b2J");
  });

  it("validate's lint gate prints findings escaped too", async () => {
    const file = labFile(edit('mac: "8a:d3:14:ca:21:70"', 'mac: "8a:d3:\\x9b2J\\nfake.yaml:1:1: fine"'));
    const result = await runCli("validate", "-f", file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('MAC "8a:d3:\\x9b2J\\nfake.yaml:1:1: fine"');
    expect(hasControl(result.stderr)).toBe(false);
  });
});
