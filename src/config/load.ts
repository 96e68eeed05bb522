// Reading a lab file: text → YAML document (with positions) → validated LabFile, or located problems.
import { readFile } from "node:fs/promises";
import { LineCounter, parseAllDocuments } from "yaml";
import { problemsForIssues } from "./issues.js";
import { InputError, type Problem } from "./problem.js";
import { type LabFile, LabFileSchema } from "./schema.js";
import { LabSource } from "./source.js";

export interface LoadedLab {
  file: LabFile;
  source: LabSource;
}

function fileProblem(file: string, message: string, line = 1, col = 1): InputError {
  return new InputError([{ file, line, col, path: "", message }]);
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

/** Parses lab text. `file` is the name used in messages. */
export function parseLab(text: string, file: string): LoadedLab {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const docs = Array.isArray(documents) ? documents : [];
  const emptySource = new LabSource(file, undefined, lineCounter);

  const syntax: Problem[] = [];
  for (const doc of docs) {
    for (const error of doc.errors) {
      const position = lineCounter.linePos(error.pos[0]);
      const message =
        error.code === "DUPLICATE_KEY" ? "a key appears twice in this mapping" : firstLine(error.message);
      syntax.push({ file, line: position.line, col: position.col, path: "", message: `YAML: ${message}` });
    }
  }
  if (syntax.length > 0) throw new InputError(syntax);

  const contentDocs = docs.filter((doc) => doc.contents !== null);
  if (contentDocs.length === 0) {
    throw fileProblem(file, "the file is empty; expected a lab (apiVersion: gpuvm/v1alpha1, kind: Lab)");
  }
  if (contentDocs.length > 1) {
    const second = contentDocs[1]?.contents?.range?.[0] ?? 0;
    const position = lineCounter.linePos(second);
    throw fileProblem(
      file,
      `holds ${contentDocs.length} YAML documents; a lab file holds exactly one`,
      position.line,
      position.col,
    );
  }
  const doc = contentDocs[0];
  const source = doc ? new LabSource(file, doc, lineCounter) : emptySource;
  const input: unknown = doc?.toJS({ maxAliasCount: 100 });
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    const found = Array.isArray(input) ? "a list" : JSON.stringify(input);
    throw fileProblem(file, `expected a mapping (apiVersion: gpuvm/v1alpha1, kind: Lab), found ${found}`);
  }

  const result = LabFileSchema.safeParse(input);
  if (!result.success) {
    const problems = problemsForIssues(result.error.issues, input, LabFileSchema, source);
    problems.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new InputError(problems);
  }
  return { file: result.data, source };
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

/** Reads and parses a lab file from disk; messages name it as the user typed it. */
export async function loadLab(path: string): Promise<LoadedLab> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
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
