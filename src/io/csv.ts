/**
 * A small, strict CSV reader/writer (RFC 4180): comma separated, fields optionally quoted with
 * `"`, `""` for a quote inside a quoted field, quoted fields may hold commas and newlines, LF or
 * CRLF line ends, an optional UTF-8 BOM. The first row is the header.
 *
 * Strict because the analyses must never silently drop or shift a value: a row with the wrong
 * number of fields, an unterminated quote or a stray quote is an Error naming the file, the line
 * and the column (1-based). Reading is O(size of the file).
 *
 * Writing quotes a field only when it needs it (comma, quote, CR/LF, leading/trailing space), and
 * numbers are written with JavaScript's shortest round-trip form, so write → read is lossless.
 * `appendCsvRows` is what the experiment grid uses to add result rows to a growing file.
 */
import fs from "node:fs";

export interface CsvTable {
  /** Where the text came from (file path or a label), used in error messages. */
  source: string;
  header: string[];
  /** Data rows, each with exactly header.length fields. */
  rows: string[][];
  /** 1-based line number where each data row starts (for error messages downstream). */
  lines: number[];
}

export type CsvValue = string | number | boolean | null | undefined;

function fail(source: string, line: number, col: number, msg: string): never {
  throw new Error(`io/csv: ${source}:${line}:${col}: ${msg}`);
}

/** Parses CSV text; `source` names it in errors. */
export function parseCsv(text: string, source = "<csv text>"): CsvTable {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  const records: string[][] = [];
  const lines: number[] = [];
  let line = 1;
  let lineStart = pos;
  while (pos < n) {
    const recLine = line;
    const rec: string[] = [];
    // One record.
    for (;;) {
      let field = "";
      if (text.charCodeAt(pos) === 34 /* " */) {
        const qLine = line;
        const qCol = pos - lineStart + 1;
        pos++;
        for (;;) {
          if (pos >= n) fail(source, qLine, qCol, "unterminated quoted field");
          const c = text.charCodeAt(pos);
          if (c === 34) {
            if (text.charCodeAt(pos + 1) === 34) {
              field += '"';
              pos += 2;
              continue;
            }
            pos++;
            break;
          }
          if (c === 10) {
            line++;
            lineStart = pos + 1;
          }
          field += text[pos];
          pos++;
        }
        const c = pos < n ? text.charCodeAt(pos) : -1;
        if (c !== 44 && c !== 10 && c !== 13 && c !== -1) {
          fail(source, line, pos - lineStart + 1, `unexpected character '${text[pos]}' after a closing quote (field ${rec.length + 1})`);
        }
      } else {
        const start = pos;
        while (pos < n) {
          const c = text.charCodeAt(pos);
          if (c === 44 || c === 10 || c === 13) break;
          if (c === 34) fail(source, line, pos - lineStart + 1, `stray quote inside unquoted field ${rec.length + 1}`);
          pos++;
        }
        field = text.slice(start, pos);
      }
      rec.push(field);
      if (pos >= n) break;
      const c = text.charCodeAt(pos);
      if (c === 44) {
        pos++;
        continue;
      }
      // End of record: CRLF or LF (a lone CR also ends it).
      if (c === 13) pos++;
      if (pos < n && text.charCodeAt(pos) === 10) pos++;
      line++;
      lineStart = pos;
      break;
    }
    records.push(rec);
    lines.push(recLine);
  }
  if (records.length === 0) fail(source, 1, 1, "empty file: no header row");
  const header = records[0];
  const width = header.length;
  const seen = new Set<string>();
  for (let j = 0; j < width; j++) {
    if (seen.has(header[j])) fail(source, 1, j + 1, `duplicate column name '${header[j]}'`);
    seen.add(header[j]);
  }
  for (let r = 1; r < records.length; r++) {
    if (records[r].length !== width) {
      const blank = records[r].length === 1 && records[r][0] === "";
      fail(source, lines[r], 1, blank ? `blank line (expected ${width} fields)` : `row has ${records[r].length} fields, the header has ${width}`);
    }
  }
  return { source, header, rows: records.slice(1), lines: lines.slice(1) };
}

/** Reads and parses a CSV file. */
export function readCsv(file: string): CsvTable {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`io/csv: cannot read ${file}: ${(err as Error).message}`);
  }
  return parseCsv(text, file);
}

/** Index of a column, or an Error listing the columns there are. */
export function columnIndex(t: CsvTable, name: string): number {
  const j = t.header.indexOf(name);
  if (j < 0) throw new Error(`io/csv: ${t.source}: no column '${name}' (columns: ${t.header.join(", ")})`);
  return j;
}

export function hasColumn(t: CsvTable, name: string): boolean {
  return t.header.includes(name);
}

/** A column as strings. */
export function stringColumn(t: CsvTable, name: string): string[] {
  const j = columnIndex(t, name);
  return t.rows.map((r) => r[j]);
}

/**
 * A column as numbers. Empty fields (and "nan"/"NaN", as pandas writes them) become NaN; anything
 * else that is not a number is an Error naming file, line and column.
 */
export function numberColumn(t: CsvTable, name: string): Float64Array {
  const j = columnIndex(t, name);
  const out = new Float64Array(t.rows.length);
  for (let i = 0; i < t.rows.length; i++) {
    const s = t.rows[i][j].trim();
    if (s === "" || s === "nan" || s === "NaN") {
      out[i] = NaN;
      continue;
    }
    const v = s === "inf" || s === "Infinity" ? Infinity : s === "-inf" || s === "-Infinity" ? -Infinity : Number(s);
    if (Number.isNaN(v)) fail(t.source, t.lines[i], j + 1, `column '${name}': '${s}' is not a number`);
    out[i] = v;
  }
  return out;
}

/** Rows as objects keyed by column name. */
export function csvRecords(t: CsvTable): Record<string, string>[] {
  return t.rows.map((r) => {
    const o: Record<string, string> = {};
    for (let j = 0; j < t.header.length; j++) o[t.header[j]] = r[j];
    return o;
  });
}

/** One field, quoted when needed. null/undefined/NaN are written as an empty field. */
export function formatCsvField(v: CsvValue): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isNaN(v) ? "" : String(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (/[",\r\n]/.test(v) || /^\s|\s$/.test(v)) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

/** One line (without the newline). */
export function formatCsvRow(values: CsvValue[]): string {
  return values.map(formatCsvField).join(",");
}

function checkWidth(file: string, header: string[], rows: CsvValue[][]): void {
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].length !== header.length) {
      throw new Error(`io/csv: ${file}: row ${i} to write has ${rows[i].length} fields, the header has ${header.length}`);
    }
  }
}

/** Serialises a table (header + rows, LF line ends, trailing newline). */
export function formatCsv(header: string[], rows: CsvValue[][]): string {
  checkWidth("<csv text>", header, rows);
  return [formatCsvRow(header), ...rows.map(formatCsvRow)].join("\n") + "\n";
}

/** Writes (replaces) a CSV file. */
export function writeCsv(file: string, header: string[], rows: CsvValue[][]): void {
  checkWidth(file, header, rows);
  fs.writeFileSync(file, formatCsv(header, rows));
}

/**
 * Appends rows to a CSV file, writing the header first when the file is missing or empty. An
 * existing file must have exactly this header (same names, same order), otherwise nothing is
 * written and an Error says how they differ.
 */
export function appendCsvRows(file: string, header: string[], rows: CsvValue[][]): void {
  checkWidth(file, header, rows);
  const exists = fs.existsSync(file) && fs.statSync(file).size > 0;
  if (!exists) {
    fs.writeFileSync(file, formatCsv(header, rows));
    return;
  }
  const text = fs.readFileSync(file, "utf8");
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const existing = parseCsv(firstLine + "\n", file).header;
  if (existing.length !== header.length || existing.some((h, j) => h !== header[j])) {
    throw new Error(`io/csv: ${file}: existing header [${existing.join(", ")}] differs from the rows' header [${header.join(", ")}]`);
  }
  const sep = text.endsWith("\n") ? "" : "\n";
  if (rows.length > 0) fs.appendFileSync(file, sep + rows.map(formatCsvRow).join("\n") + "\n");
}
