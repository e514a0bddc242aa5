/**
 * Merging results files from shards (or from separate runs): headers must be equal, rows are
 * de-duplicated by `cell_key` (the first occurrence wins; copies of a deterministic cell differ only
 * in timings), and the output is sorted by `cell_key` so merging is independent of shard order.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Row } from "./executor";
import { formatCsvLine, readResultsCsv, writeFileAtomic } from "./results";
import { DENSE_FILE, RESULTS_FILE } from "./runner";

export interface MergeSummary {
  out: string;
  rows: number;
  duplicates: number;
  /** Distinct code versions among the merged rows (more than one: shards ran different code). */
  codeVersions: string[];
}

/** Merges CSV files into `out`; throws naming the file whose header differs. */
export function mergeResultFiles(inputs: readonly string[], out: string): MergeSummary {
  if (inputs.length === 0) throw new Error("experiment/merge: no input files");
  let columns: string[] | undefined;
  let first = "";
  const byKey = new Map<string, Row>();
  let duplicates = 0;
  for (const file of inputs) {
    if (!existsSync(file)) throw new Error(`experiment/merge: '${file}' does not exist`);
    const { columns: cols, rows } = readResultsCsv(file);
    if (!cols.includes("cell_key")) throw new Error(`experiment/merge: '${file}' has no cell_key column (not a grid results file)`);
    if (!columns) {
      columns = cols;
      first = file;
    } else if (cols.join(",") !== columns.join(",")) {
      throw new Error(`experiment/merge: '${file}' has a different header than '${first}' (${cols.length} vs ${columns.length} columns)`);
    }
    for (const row of rows) {
      const key = String(row.cell_key);
      if (byKey.has(key)) duplicates++;
      else byKey.set(key, row);
    }
  }
  const cols = columns as string[];
  const keys = [...byKey.keys()].sort();
  let text = formatCsvLine(cols, Object.fromEntries(cols.map((c) => [c, c])));
  for (const k of keys) text += formatCsvLine(cols, byKey.get(k) as Row);
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  writeFileAtomic(out, text);
  const codeVersions = [...new Set([...byKey.values()].map((r) => String(r.code_version ?? "")))].sort();
  return { out, rows: keys.length, duplicates, codeVersions };
}

/**
 * Merges results folders (each with results.csv and dense.csv, as written by `runGrid`) into `outDir`.
 */
export function mergeResultDirs(inputs: readonly string[], outDir: string): { results: MergeSummary; dense: MergeSummary | null } {
  for (const d of inputs) {
    if (!existsSync(d) || !statSync(d).isDirectory()) throw new Error(`experiment/merge: '${d}' is not a results folder`);
    if (!existsSync(path.join(d, RESULTS_FILE))) throw new Error(`experiment/merge: '${d}' has no ${RESULTS_FILE}`);
  }
  const results = mergeResultFiles(inputs.map((d) => path.join(d, RESULTS_FILE)), path.join(outDir, RESULTS_FILE));
  const denseInputs = inputs.map((d) => path.join(d, DENSE_FILE)).filter((f) => existsSync(f));
  const dense = denseInputs.length > 0 ? mergeResultFiles(denseInputs, path.join(outDir, DENSE_FILE)) : null;
  return { results, dense };
}
