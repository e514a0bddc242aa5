/**
 * HTML tables for notebooks: from an array of row objects or from named columns (typed arrays
 * allowed), every cell escaped, numbers formatted per column. `htmlTable` returns the HTML;
 * `table` shows it (with a tab-separated text/plain fallback).
 */
import { escapeHtml, show } from "./output";

export type Cell = string | number | bigint | boolean | null | undefined;
export type Row = Readonly<Record<string, Cell>>;
export type Columns = Readonly<Record<string, ArrayLike<Cell> | ArrayLike<number>>>;

export interface TableOptions {
  /** Caption shown above the table. */
  readonly caption?: string;
  /** Column order and subset (default: keys of the first row / of the columns object). */
  readonly columns?: readonly string[];
  /** Significant digits for non-integer numbers (default 4). Integers print in full with thousands separators. */
  readonly digits?: number;
  /** Per-column formatter, overriding the default number formatting. */
  readonly format?: Readonly<Record<string, (v: Cell) => string>>;
  /** Show at most this many rows (default 500); the rest are counted in a footer. */
  readonly maxRows?: number;
}

/** Default number formatting: integers in full with separators; others with `digits` significant digits, but never rounding away integer digits. */
export function formatNumber(v: number, digits = 4): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return v.toLocaleString("en-US");
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e15)) return v.toExponential(Math.max(0, digits - 1));
  if (a >= 1) {
    // Never round away integer digits: 12345.678 with 4 digits is "12,346", not "12,350".
    const intDigits = Math.floor(Math.log10(a)) + 1;
    return v.toLocaleString("en-US", { maximumFractionDigits: Math.max(0, digits - intDigits) });
  }
  return String(Number(v.toPrecision(digits)));
}

function formatCell(v: Cell, digits: number): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return formatNumber(v, digits);
  if (typeof v === "bigint") return v.toLocaleString("en-US");
  return String(v);
}

function isColumns(x: readonly Row[] | Columns): x is Columns {
  return !Array.isArray(x);
}

/** Converts named columns (all of one length) to rows. Throws naming the column whose length differs. */
export function columnsToRows(cols: Columns): Row[] {
  const names = Object.keys(cols);
  if (names.length === 0) return [];
  const n = cols[names[0]].length;
  for (const name of names) {
    if (cols[name].length !== n) {
      throw new Error(`notebook/table: column "${name}" has ${cols[name].length} values, "${names[0]}" has ${n}`);
    }
  }
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const r: Record<string, Cell> = {};
    for (const name of names) r[name] = cols[name][i];
    rows.push(r);
  }
  return rows;
}

/** The HTML of a table of `data` (rows, or equal-length named columns). */
export function htmlTable(data: readonly Row[] | Columns, options: TableOptions = {}): string {
  const rows = isColumns(data) ? columnsToRows(data) : data;
  const names =
    options.columns ?? (isColumns(data) ? Object.keys(data) : rows.length > 0 ? Object.keys(rows[0]) : []);
  const digits = options.digits ?? 4;
  const maxRows = options.maxRows ?? 500;
  const numeric = names.map((c) => rows.length > 0 && rows.every((r) => {
    const v = r[c];
    return v === null || v === undefined || typeof v === "number" || typeof v === "bigint";
  }));
  const parts: string[] = ['<table class="snn-table" style="border-collapse:collapse;font-size:13px">'];
  if (options.caption) {
    parts.push(`<caption style="caption-side:top;text-align:left;font-weight:bold">${escapeHtml(options.caption)}</caption>`);
  }
  parts.push("<thead><tr>");
  names.forEach((c, j) => {
    parts.push(`<th style="text-align:${numeric[j] ? "right" : "left"};padding:2px 8px;border-bottom:1px solid #999">${escapeHtml(c)}</th>`);
  });
  parts.push("</tr></thead><tbody>");
  const shown = Math.min(rows.length, maxRows);
  for (let i = 0; i < shown; i++) {
    parts.push("<tr>");
    names.forEach((c, j) => {
      const v = rows[i][c];
      const f = options.format?.[c];
      const text = f ? f(v) : formatCell(v, digits);
      parts.push(`<td style="text-align:${numeric[j] ? "right" : "left"};padding:2px 8px">${escapeHtml(text)}</td>`);
    });
    parts.push("</tr>");
  }
  parts.push("</tbody>");
  if (shown < rows.length) {
    parts.push(`<tfoot><tr><td colspan="${names.length}" style="padding:2px 8px;font-style:italic">… ${rows.length - shown} more rows</td></tr></tfoot>`);
  }
  parts.push("</table>");
  return parts.join("");
}

/** Shows a table of `data` in the notebook (see `htmlTable`). */
export function table(data: readonly Row[] | Columns, options: TableOptions = {}): void {
  const rows = isColumns(data) ? columnsToRows(data) : data;
  const names =
    options.columns ?? (isColumns(data) ? Object.keys(data) : rows.length > 0 ? Object.keys(rows[0]) : []);
  const shown = rows.slice(0, options.maxRows ?? 500);
  show({ "text/html": htmlTable(rows, { ...options, columns: names }), "text/plain": plainTable(shown, names, options.digits ?? 4, options) });
}

/** Tab-separated plain-text fallback of the same table. */
function plainTable(rows: readonly Row[], names: readonly string[], digits: number, options: TableOptions): string {
  const lines = [names.join("\t")];
  for (const r of rows) {
    lines.push(names.map((c) => (options.format?.[c] ? options.format[c](r[c]) : formatCell(r[c], digits))).join("\t"));
  }
  return lines.join("\n");
}
