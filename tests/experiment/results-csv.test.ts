import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { readResultsCsv, ResultsFile } from "../../src/experiment/results";
import { tempDir } from "../temp";

test("results rows round-trip through the CSV file: quotes, empty values and infinities are kept", () => {
  const dir = tempDir("snn-results-");
  const file = path.join(dir, "results.csv");
  const columns = ["cell_key", "model", "degree_bound", "accuracy", "note"];
  const rows = [
    { cell_key: "a", model: "lenet5", degree_bound: Number.NEGATIVE_INFINITY, accuracy: 0.8125, note: 'with "quotes", comma' },
    { cell_key: "b", model: "lenet300-100", degree_bound: 1.5e-7, accuracy: null, note: "line\nbreak" },
  ];
  const out = ResultsFile.open(file, columns);
  for (const r of rows) out.append(r);
  out.close();
  const back = readResultsCsv(file);
  assert.deepEqual(back.columns, columns);
  assert.deepEqual(back.rows, rows);
});

test("a malformed results file is an error naming the file and line", () => {
  const dir = tempDir("snn-results-");
  const file = path.join(dir, "results.csv");
  writeFileSync(file, "cell_key,accuracy\na,0.5\nb,0.6,extra\n");
  assert.throws(() => readResultsCsv(file), (e: Error) => e.message.includes(file) && /:3:/.test(e.message));
});
