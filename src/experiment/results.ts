/**
 * Append-only, crash-safe results files (CSV, one row per finished cell).
 *
 * Crash safety rests on three rules:
 * 1. a finished cell is written as ONE complete line by a single write() on an O_APPEND descriptor,
 *    followed by fsync, so after a crash the file holds whole rows plus at most one torn last line;
 * 2. on open, a torn last line (no trailing newline) is truncated away, so that cell runs again;
 * 3. every row carries `cell_key`; cells whose key is present are skipped, and `append` refuses a
 *    key that is already there, so duplicates cannot arise.
 * The header is created by writing a temporary file and renaming it, so a file either has a complete
 * header or does not exist. One runner at a time owns a results folder (a lock file with its pid;
 * a lock left by a killed process is taken over).
 */
import {
  closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, renameSync,
  statSync, unlinkSync, writeSync, constants as fsConstants,
} from "node:fs";
import path from "node:path";
import { formatCsvRow, parseCsv } from "../io/csv";
import type { Row, RowValue } from "./executor";

// ---------------------------------------------------------------------------------------------
// CSV through the strict reader/writer of src/io/csv.ts

export function formatCsvLine(columns: readonly string[], row: Row): string {
  return formatCsvRow(columns.map((c) => row[c])) + "\n";
}

/** Header + data records of CSV text; malformed text is an error naming the file, line and column. */
function parseRecords(text: string, file: string): string[][] {
  const t = parseCsv(text, file);
  return [t.header, ...t.rows];
}

/** Converts a CSV field back to a value: empty → null, numeric text (±Infinity too) → number, else the string. */
export function parseField(s: string): RowValue {
  if (s === "") return null;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) || /^[-+]?Infinity$/.test(s)) return Number(s);
  return s;
}

/** Reads a results CSV into its header and rows (values parsed by `parseField`). */
export function readResultsCsv(file: string): { columns: string[]; rows: Row[] } {
  const [columns, ...records] = parseRecords(readFileSync(file, "utf8"), file);
  const rows = records.map((rec) => {
    const row: Row = {};
    for (let c = 0; c < columns.length; c++) row[columns[c]] = parseField(rec[c]);
    return row;
  });
  return { columns, rows };
}

// ---------------------------------------------------------------------------------------------
// The append-only file

/** Writes `data` to `file` via a temporary file in the same folder and a rename (atomic on POSIX). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export class ResultsFile {
  readonly file: string;
  readonly columns: readonly string[];
  private fd: number;
  private readonly keys = new Set<string>();
  /** Bytes cut off a torn last line when the file was opened (0 if it was intact). */
  readonly repairedBytes: number;

  private constructor(file: string, columns: readonly string[], fd: number, repairedBytes: number) {
    this.file = file;
    this.columns = columns;
    this.fd = fd;
    this.repairedBytes = repairedBytes;
  }

  /**
   * Opens (creating it with a header if absent) a results file whose header must equal `columns`;
   * truncates a torn last line and loads the keys of the rows present.
   */
  static open(file: string, columns: readonly string[]): ResultsFile {
    if (!columns.includes("cell_key")) throw new Error("experiment/results: the columns must include 'cell_key'");
    mkdirSync(path.dirname(file), { recursive: true });
    if (!existsSync(file)) writeFileAtomic(file, formatCsvLine(columns, Object.fromEntries(columns.map((c) => [c, c]))));
    const fd = openSync(file, fsConstants.O_RDWR | fsConstants.O_APPEND);
    let repaired = 0;
    try {
      const size = statSync(file).size;
      const buf = Buffer.alloc(size);
      let off = 0;
      while (off < size) {
        const got = readSync(fd, buf, off, size - off, off);
        if (got === 0) break;
        off += got;
      }
      let text = buf.toString("utf8");
      if (!text.endsWith("\n")) {
        const cut = text.lastIndexOf("\n") + 1;
        if (cut === 0) throw new Error(`experiment/results: '${file}' has no complete header line; delete it and rerun`);
        repaired = size - Buffer.byteLength(text.slice(0, cut), "utf8");
        ftruncateSync(fd, size - repaired);
        fsyncSync(fd);
        text = text.slice(0, cut);
      }
      const records = parseRecords(text, file);
      const header = records[0] ?? [];
      if (header.join(",") !== columns.join(",")) {
        throw new Error(
          `experiment/results: '${file}' has a different header than this version writes ` +
            `(${header.length} vs ${columns.length} columns; first difference at '${firstDifference(header, columns)}'); ` +
            "write to a new results folder or merge the old file with `snn-topology merge`",
        );
      }
      const keyIndex = header.indexOf("cell_key");
      const out = new ResultsFile(file, columns, fd, repaired);
      for (let r = 1; r < records.length; r++) {
        const rec = records[r];
        if (rec.length !== header.length) {
          throw new Error(`experiment/results: '${file}' record ${r + 1} has ${rec.length} fields, the header has ${header.length}`);
        }
        out.keys.add(rec[keyIndex]);
      }
      return out;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  get size(): number {
    return this.keys.size;
  }

  /** Keys of the rows in the file. */
  cellKeys(): string[] {
    return [...this.keys];
  }

  /** Appends one row as a single write + fsync. Unknown columns and repeated keys are errors. */
  append(row: Row): void {
    const key = row.cell_key;
    if (typeof key !== "string" || key.length === 0) throw new Error(`experiment/results: a row without cell_key cannot be appended to '${this.file}'`);
    if (this.keys.has(key)) throw new Error(`experiment/results: '${this.file}' already holds cell ${key}`);
    for (const c of Object.keys(row)) {
      if (!this.columns.includes(c)) throw new Error(`experiment/results: row for cell ${key} has unknown column '${c}'`);
    }
    const line = Buffer.from(formatCsvLine(this.columns, row), "utf8");
    let off = 0;
    // One write() for the whole line: on a regular file POSIX writes it completely or fails; the loop
    // only guards against a short write on exotic file systems.
    while (off < line.length) off += writeSync(this.fd, line, off, line.length - off);
    fsyncSync(this.fd);
    this.keys.add(key);
  }

  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}

function firstDifference(a: readonly string[], b: readonly string[]): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] ?? b[i] ?? "";
  return "";
}

// ---------------------------------------------------------------------------------------------
// One runner per results folder

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes `<dir>/.lock` (pid inside); a lock whose process is gone (killed run) is taken over.
 * Returns a release function.
 */
export function lockResultsDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, ".lock");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(lock, "utf8").trim() === String(process.pid)) unlinkSync(lock);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number(readFileSafe(lock).trim());
      if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) {
        throw new Error(`experiment/results: '${dir}' is in use by another run (pid ${pid}); wait for it or remove ${lock} if that process is not a grid run`);
      }
      try {
        unlinkSync(lock);
      } catch {
        // raced with another taker; retry
      }
    }
  }
  throw new Error(`experiment/results: could not take the lock ${lock}`);
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** Writes a small JSON side file atomically (run manifest). */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + "\n");
}


/**
 * Moves the rows whose cell_key is not in `keep` (rows of another grid configuration or code
 * version) from `file` into `<file stem>.stale-<timestamp>.csv`, so the results file holds only the
 * current grid's rows and the analysis never sees two versions of one setting. The stale rows are
 * written (and fsynced) before the results file is replaced atomically, so a crash in between
 * duplicates rows into the archive but never loses one. Returns the archive path and row count.
 */
export function archiveForeignRows(file: string, keep: ReadonlySet<string>): { archive: string; rows: number } | null {
  const text = readFileSync(file, "utf8");
  const records = parseRecords(text, file);
  const header = records[0];
  const keyIndex = header.indexOf("cell_key");
  if (keyIndex < 0) throw new Error(`experiment/results: '${file}' has no cell_key column`);
  const headerLine = text.slice(0, text.indexOf("\n") + 1);
  const lines = text.slice(headerLine.length).split("\n").filter((l) => l.length > 0);
  if (lines.length !== records.length - 1) {
    // A quoted field with a newline would make lines ≠ records; rows written by this module never have one.
    throw new Error(`experiment/results: '${file}' has multi-line records; cannot archive stale rows safely`);
  }
  const kept: string[] = [];
  const stale: string[] = [];
  for (let i = 0; i < lines.length; i++) (keep.has(records[i + 1][keyIndex]) ? kept : stale).push(lines[i]);
  if (stale.length === 0) return null;
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const archive = file.replace(/\.csv$/, "") + `.stale-${stamp}.csv`;
  writeFileAtomic(archive, headerLine + stale.map((l) => l + "\n").join(""));
  writeFileAtomic(file, headerLine + kept.map((l) => l + "\n").join(""));
  return { archive, rows: stale.length };
}
