import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";

// Notebooks import src/ through tslab, which compiles every imported file itself with its own
// TypeScript fork (5.0) and different options than our tsconfig. A file that passes `tsc` can
// still fail there (e.g. a tuple of host values returned from tf.tidy), and then every notebook
// that imports it fails. This compiles the whole public API the way tslab does.
interface Diagnostic {
  file?: { fileName: string; getLineAndCharacterOfPosition(p: number): { line: number } };
  start?: number;
  messageText: unknown;
}
interface TsLike {
  version: string;
  ScriptTarget: { ES2022: number };
  ModuleKind: { ES2022: number };
  ModuleResolutionKind: { NodeJs: number };
  createProgram(roots: string[], options: Record<string, unknown>): unknown;
  getPreEmitDiagnostics(program: unknown): readonly Diagnostic[];
  flattenDiagnosticMessageText(m: unknown, nl: string): string;
}

test("src/index.ts compiles under tslab's TypeScript and module resolution", { timeout: 120_000 }, () => {
  const tslabDir = path.dirname(require.resolve("tslab/package.json"));
  const ts = require(require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] })) as TsLike;
  const root = path.resolve(__dirname, "..", "..");
  const program = ts.createProgram([path.join(root, "src", "index.ts")], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.NodeJs,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
    lib: ["lib.es2022.d.ts"],
  });
  const messages = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${path.relative(root, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
  assert.deepEqual(messages, [], `TypeScript ${ts.version} (tslab) reports:\n${messages.join("\n")}`);
});
