// Reading a lab file: text → YAML document (with positions) → validated LabFile, or located problems.
import { open } from "node:fs/promises";
import { Composer, type CST, type Document, LineCounter, Parser } from "yaml";
import { describeFound, problemsForIssues } from "./issues.js";
import { InputError, type Problem } from "./problem.js";
import { type LabFile, LabFileSchema } from "./schema.js";
import { LabSource } from "./source.js";
import { refuseDocumentShapes, refuseInTokens, type YamlRefusal } from "./yaml-guard.js";

type Token = CST.Token;

export interface LoadedLab {
  file: LabFile;
  source: LabSource;
}

/**
 * The largest lab file gpuvm reads: 4 MiB holds about 10,000 VMs, far more than any lab, and keeps
 * the time and memory a file can cost bounded (a pointer at a disk image or /dev/zero is refused
 * after reading 4 MiB, not after filling memory). Not configurable: no lab needs more.
 */
export const MAX_LAB_BYTES = 4 * 2 ** 20;

function fileProblem(file: string, message: string, line = 1, col = 1): InputError {
  return new InputError([{ file, line, col, path: "", message }]);
}

function tooLarge(file: string, bytes: string): InputError {
  return fileProblem(
    file,
    `is ${bytes}; a lab file holds at most 4 MiB (about 10,000 VMs): is this the lab file? Split a larger lab into several`,
  );
}

/** Rejects what is not text: NUL bytes or invalid UTF-8 mean the user pointed at the wrong file. */
function decodeText(bytes: Buffer, file: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0)
    throw fileProblem(file, `is not a text file (a NUL byte at offset ${nul}); expected a YAML lab file`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw fileProblem(file, "is not UTF-8 text; expected a YAML lab file");
  }
}

/** The parser's tokens of the whole text (the parser keeps its own stack, however deep the file). */
function tokenize(text: string, lineCounter: LineCounter): Token[] {
  return Array.from(new Parser(lineCounter.addNewLine).parse(text));
}

function compose(tokens: Token[], textLength: number): Document[] {
  // YAML 1.2 core schema whatever the file says; yaml-guard refuses a %YAML 1.1 directive.
  // Duplicate keys are refused by yaml-guard, in linear time (uniqueKeys: false).
  const composer = new Composer({ prettyErrors: false, uniqueKeys: false, version: "1.2", schema: "core" });
  return [...composer.compose(tokens, false, textLength)];
}

const GUARDED_WARNINGS = new Set(["TAG_RESOLVE_FAILED", "BAD_DIRECTIVE"]);

function yamlMessage(code: string, message: string): string {
  // The parser's recursion gave out: nesting far deeper than a lab (yaml-guard's limit) or a runaway.
  if (code === "RESOURCE_EXHAUSTION") return "the file nests too deeply to be a lab file";
  return firstLine(message);
}

/**
 * The one YAML document of a lab text, checked against what a lab may use (yaml-guard.ts), with the
 * line counter that turns its offsets into positions.
 */
function readDocument(text: string, file: string): { doc: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const problemAt = (offset: number, message: string): Problem => {
    const position = lineCounter.linePos(offset);
    return { file, line: position.line, col: position.col, path: "", message };
  };
  const located = (refusals: YamlRefusal[]) =>
    refusals.map((refusal) => problemAt(refusal.offset, refusal.message));

  const tokens = tokenize(text, lineCounter);
  const inTokens = refuseInTokens(tokens);
  // Too deep to compose safely: say so before composing.
  if (inTokens.tooDeep) throw new InputError(located(inTokens.refusals));
  const docs = compose(tokens, text.length);

  const syntax: Problem[] = located(inTokens.refusals);
  for (const doc of docs) {
    // Warnings too: what the library only warns about is still read differently than it was meant.
    // Tags and directives are left to yaml-guard, which says what to do about them.
    const warnings = doc.warnings.filter((warning) => !GUARDED_WARNINGS.has(warning.code));
    for (const error of [...doc.errors, ...warnings]) {
      syntax.push(problemAt(error.pos[0], `YAML: ${yamlMessage(error.code, error.message)}`));
    }
  }
  if (syntax.length > 0) throw new InputError(sortProblems(dedupe(syntax)));

  const contentDocs = docs.filter((doc) => doc.contents !== null);
  const doc = contentDocs[0];
  if (!doc) {
    throw fileProblem(file, "the file is empty; expected a lab (apiVersion: gpuvm/v1alpha1, kind: Lab)");
  }
  if (contentDocs.length > 1) {
    const second = contentDocs[1]?.contents?.range?.[0] ?? 0;
    throw new InputError([
      problemAt(second, `holds ${contentDocs.length} YAML documents; a lab file holds exactly one`),
    ]);
  }
  const shapes = located(refuseDocumentShapes(doc, text.length));
  if (shapes.length > 0) throw new InputError(shapes);
  return { doc, lineCounter };
}

/** Parses lab text. `file` is the name used in messages. */
export function parseLab(rawText: string, file: string): LoadedLab {
  const size = Buffer.byteLength(rawText);
  if (size > MAX_LAB_BYTES) throw tooLarge(file, `${(size / 2 ** 20).toFixed(1)} MiB`);
  // YAML counts a lone CR as a line break; the parser does not. Each CR becomes one LF, so offsets,
  // lines and columns stay those of the file (a file saved with classic Mac line endings reads right).
  const text = rawText.replace(/\r(?!\n)/g, "\n");
  const { doc, lineCounter } = readDocument(text, file);
  const source = new LabSource(file, doc, lineCounter);
  const at = source.at(doc.contents?.range?.[0] ?? 0);

  let input: unknown;
  try {
    // yaml-guard bounds what aliases expand to, so the library's own alias budget is not needed.
    input = doc.toJS({ maxAliasCount: -1 });
  } catch (error) {
    // Not expected after yaml-guard; if the library still refuses, the user gets a located reason.
    const message = error instanceof Error ? firstLine(error.message) : String(error);
    throw fileProblem(file, `YAML: ${message}`, at.line, at.col);
  }
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    const found = describeFound(input);
    throw fileProblem(
      file,
      `expected a mapping (apiVersion: gpuvm/v1alpha1, kind: Lab), found ${found}`,
      at.line,
      at.col,
    );
  }

  const result = LabFileSchema.safeParse(input);
  if (!result.success) {
    const problems = problemsForIssues(result.error.issues, input, LabFileSchema, source);
    throw new InputError(sortProblems(problems));
  }
  return { file: result.data, source };
}

function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** One problem per place and message: the parser can report one fault through two paths. */
function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.line}:${problem.col}:${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

/** Reads at most MAX_LAB_BYTES + 1 bytes: enough to know a file is too large without reading it all. */
async function readBounded(path: string): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(MAX_LAB_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_LAB_BYTES) {
      const { size } = await handle.stat();
      throw tooLarge(path, size > MAX_LAB_BYTES ? `${(size / 2 ** 20).toFixed(1)} MiB` : "larger than 4 MiB");
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** Reads and parses a lab file from disk; messages name it as the user typed it. */
export async function loadLab(path: string): Promise<LoadedLab> {
  let bytes: Buffer;
  try {
    bytes = await readBounded(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory, not a lab file"
          : code === "EACCES"
            ? "permission denied"
            : `cannot be read (${code ?? "unknown error"})`;
    throw fileProblem(path, reason);
  }
  return parseLab(decodeText(bytes, path), path);
}
