/**
 * Results rows summarised per group: the mean of numeric columns over the rows that share the
 * values of some key columns (e.g. model, pruning, sparsity → mean over seeds), what the notebooks
 * tabulate from a results file. Non-numeric or missing values are left out of a mean (a group with
 * none gives NaN). Groups are sorted by their key values. O(rows · columns).
 */
import type { Row, RowValue } from "./executor";

export interface GroupSummary {
  /** The key columns' values of the group. */
  readonly key: Record<string, RowValue>;
  /** Rows in the group. */
  readonly count: number;
  /** Mean of each requested column over the group's numeric values. */
  readonly means: Record<string, number>;
}

/**
 * @example
 *   summariseResults(readResultsCsv("results/quick/results.csv").rows, ["model", "pruning", "sparsity"], ["accuracy", "accuracy_drop"]);
 * @throws when no key column is given.
 */
export function summariseResults(rows: readonly Row[], keys: readonly string[], columns: readonly string[]): GroupSummary[] {
  if (keys.length === 0) throw new Error("experiment/summary: at least one key column is needed");
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = JSON.stringify(keys.map((c) => r[c] ?? null));
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const cmp = (a: RowValue, b: RowValue): number => {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
  };
  const out: GroupSummary[] = [...groups.values()].map((rs) => {
    const key: Record<string, RowValue> = {};
    for (const c of keys) key[c] = rs[0][c] ?? null;
    const means: Record<string, number> = {};
    for (const c of columns) {
      let s = 0;
      let n = 0;
      for (const r of rs) {
        const v = r[c];
        if (typeof v === "number" && Number.isFinite(v)) {
          s += v;
          n++;
        }
      }
      means[c] = n === 0 ? Number.NaN : s / n;
    }
    return { key, count: rs.length, means };
  });
  out.sort((a, b) => {
    for (const c of keys) {
      const d = cmp(a.key[c], b.key[c]);
      if (d !== 0) return d;
    }
    return 0;
  });
  return out;
}
