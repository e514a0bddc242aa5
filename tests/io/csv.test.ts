import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { parseCsv, readCsv, numberColumn, stringColumn, formatCsv, writeCsv, appendCsvRows, csvRecords, formatCsvRow } from "../../src/io/csv";
import { tempDir } from "../temp";

test("parses quoted fields with commas, doubled quotes, newlines, CRLF and a BOM", () => {
  const text = '\ufeffa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\nlines",\r\n';
  const t = parseCsv(text, "t.csv");
  assert.deepEqual(t.header, ["a", "b", "c"]);
  assert.deepEqual(t.rows, [
    ["1", "x, y", 'say "hi"'],
    ["2", "two\nlines", ""],
  ]);
  assert.deepEqual(t.lines, [2, 3]);
  assert.deepEqual(csvRecords(t)[0], { a: "1", b: "x, y", c: 'say "hi"' });
});

test("no trailing newline and numeric columns with NaN", () => {
  const t = parseCsv("x,y\n1.5,\n-2e3,nan\n3,inf", "n.csv");
  const x = numberColumn(t, "x");
  assert.deepEqual(Array.from(x), [1.5, -2000, 3]);
  const y = numberColumn(t, "y");
  assert.ok(Number.isNaN(y[0]) && Number.isNaN(y[1]) && y[2] === Infinity);
  assert.deepEqual(stringColumn(t, "x"), ["1.5", "-2e3", "3"]);
});

test("malformed input: errors name file, line and column", () => {
  assert.throws(() => parseCsv("a,b\n1,2\n3\n", "f.csv"), /io\/csv: f\.csv:3:1: row has 1 fields, the header has 2/);
  assert.throws(() => parseCsv('a,b\n1,"open\n', "g.csv"), /g\.csv:2:3: unterminated quoted field/);
  assert.throws(() => parseCsv('a,b\n1,x"y\n', "h.csv"), /h\.csv:2:4: stray quote/);
  assert.throws(() => parseCsv('a,b\n1,"x"y\n', "i.csv"), /i\.csv:2:6: unexpected character 'y' after a closing quote/);
  assert.throws(() => parseCsv("a,b\n1,2\n\n3,4\n", "j.csv"), /j\.csv:3:1: blank line/);
  assert.throws(() => parseCsv("a,a\n1,2\n", "k.csv"), /k\.csv:1:2: duplicate column name 'a'/);
  assert.throws(() => parseCsv("", "e.csv"), /e\.csv:1:1: empty file/);
  const t = parseCsv("a,b\n1,2\n3,zz\n", "m.csv");
  assert.throws(() => numberColumn(t, "b"), /m\.csv:3:2: column 'b': 'zz' is not a number/);
  assert.throws(() => numberColumn(t, "q"), /no column 'q' \(columns: a, b\)/);
  assert.throws(() => readCsv("/nonexistent/file.csv"), /cannot read \/nonexistent\/file\.csv/);
});

test("write → read round-trips strings and numbers exactly", () => {
  const header = ["name", "value", "note"];
  const rows = [
    ["a,b", 0.1 + 0.2, 'he said "x"'],
    [" lead", -1e-300, "multi\nline"],
    ["plain", NaN, null],
  ];
  const t = parseCsv(formatCsv(header, rows), "rt");
  assert.equal(t.rows[0][0], "a,b");
  assert.equal(Number(t.rows[0][1]), 0.1 + 0.2);
  assert.equal(t.rows[0][2], 'he said "x"');
  assert.equal(t.rows[1][0], " lead");
  assert.equal(Number(t.rows[1][1]), -1e-300);
  assert.equal(t.rows[1][2], "multi\nline");
  assert.deepEqual(t.rows[2], ["plain", "", ""]);
  assert.equal(formatCsvRow([true, 3, "x"]), "true,3,x");
});

test("append writes the header once and refuses a different header", () => {
  const dir = tempDir("csv-");
  const f = path.join(dir, "r.csv");
  appendCsvRows(f, ["a", "b"], [[1, 2]]);
  appendCsvRows(f, ["a", "b"], [[3, "x,y"]]);
  assert.deepEqual(readCsv(f).rows, [
    ["1", "2"],
    ["3", "x,y"],
  ]);
  assert.throws(() => appendCsvRows(f, ["a", "c"], [[1, 2]]), /existing header \[a, b\] differs from the rows' header \[a, c\]/);
  assert.throws(() => appendCsvRows(f, ["a", "b"], [[1]]), /row 0 to write has 1 fields, the header has 2/);
  // a file without a final newline still appends on a new line
  fs.writeFileSync(f, "a,b\n1,2");
  appendCsvRows(f, ["a", "b"], [[5, 6]]);
  assert.deepEqual(readCsv(f).rows, [
    ["1", "2"],
    ["5", "6"],
  ]);
  writeCsv(f, ["z"], [["q"]]);
  assert.deepEqual(readCsv(f).header, ["z"]);
});
