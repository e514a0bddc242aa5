/**
 * Named feature sets over a NetTable (see data.ts for how the columns are built):
 * - mge: the 16 MGE topometrics of unrolled.csv (reference-notes §2.1);
 * - rolled / rolled-channel: 10 per-layer BGE topometrics (§2.2) × {mean, min, max, density-weighted mean} = 40;
 * - ramanujan: 3 per-layer Ramanujan metrics (§2.3) × the same 4 aggregates = 12;
 * - density: the density-only baseline — layer density mean/min/max and global density Σnnz/Σnumel
 *   (from the Ramanujan files). For the experiment grid's own results, which have no per-layer
 *   files, it is `1 − realised_sparsity` when that column exists, else `1 − sparsity`.
 */
import { BGE_LAYER_METRICS, DENSITY_COLUMNS, LAYER_ENCODING_PREFIX, MGE_METRICS, RAMANUJAN_LAYER_METRICS, layerAggregateColumns } from "../metrics/catalogue";
import type { NetTable } from "./data";
import { columnsToMatrix } from "./models";
import type { Matrix } from "./xgboost";

export const FEATURE_SETS = ["mge", "rolled", "rolled-channel", "ramanujan", "density"] as const;
export type FeatureSet = (typeof FEATURE_SETS)[number];

export function isFeatureSet(s: string): s is FeatureSet {
  return (FEATURE_SETS as readonly string[]).includes(s);
}

/** Column names of a feature set for this table (Error if the table lacks them). */
export function featureColumns(t: NetTable, set: FeatureSet): string[] {
  let cols: string[];
  switch (set) {
    case "mge":
      cols = [...MGE_METRICS];
      break;
    case "rolled":
      cols = layerAggregateColumns(LAYER_ENCODING_PREFIX.rolled, BGE_LAYER_METRICS);
      break;
    case "rolled-channel":
      cols = layerAggregateColumns(LAYER_ENCODING_PREFIX.rolledChannel, BGE_LAYER_METRICS);
      break;
    case "ramanujan":
      cols = layerAggregateColumns(LAYER_ENCODING_PREFIX.ramanujan, RAMANUJAN_LAYER_METRICS);
      break;
    case "density":
      if (DENSITY_COLUMNS.every((c) => c in t.num)) {
        cols = [...DENSITY_COLUMNS];
      } else {
        cols = ["density"];
      }
      break;
  }
  const missing = cols.filter((c) => c !== "density" && !(c in t.num));
  if (missing.length > 0) {
    const hint = set === "mge" ? "" : " (the per-layer encodings come from the paper's rolled/rolled_channel/ramanunjan_results files; load them with loadPaperData)";
    throw new Error(`analysis/features: feature set '${set}' needs columns missing from ${t.source}: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}${hint}`);
  }
  return cols;
}

/** One column by name; `density` is derived (1 − realised_sparsity, else 1 − sparsity). */
export function featureColumn(t: NetTable, name: string): Float64Array {
  if (name === "density" && !("density" in t.num)) {
    const s = t.num.realised_sparsity ?? t.sparsity;
    return Float64Array.from(s, (v) => 1 - v);
  }
  const c = t.num[name];
  if (!c) throw new Error(`analysis/features: no column '${name}' in ${t.source}`);
  return c;
}

/** A named set of columns, for feature sets beyond the five standard ones (e.g. Ramanujan + density). */
export interface CustomFeatureSet {
  name: string;
  columns: string[];
}

export type FeatureSpec = FeatureSet | CustomFeatureSet;

export function featureSetName(spec: FeatureSpec): string {
  return typeof spec === "string" ? spec : spec.name;
}

/** The feature matrix (rows = networks) and its column names. */
export function featureMatrix(t: NetTable, set: FeatureSpec): { x: Matrix; names: string[] } {
  const names = typeof set === "string" ? featureColumns(t, set) : set.columns;
  if (names.length === 0) throw new Error(`analysis/features: feature set '${featureSetName(set)}' has no columns`);
  return { x: columnsToMatrix(names.map((c) => featureColumn(t, c))), names };
}
