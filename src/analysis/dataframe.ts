/**
 * danfojs-node DataFrames of the analysis tables, for notebooks and interactive use. danfo is
 * required lazily (it takes 1–4 s to import), so the CLI and the library never pay for it.
 * The typed tables (NetTable, LayerRows) stay the source of truth: the experiments run on them,
 * and these frames are views for exploration (groupby, describe, query).
 */
import type { DataFrame } from "danfojs-node";
import { tableRecords, loadPaperData, type NetTable, type LayerRows, type PaperDataOptions } from "./data";

function danfo(): typeof import("danfojs-node") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("danfojs-node") as typeof import("danfojs-node");
}

/** A danfo DataFrame of a NetTable (ids, accuracy, drop and the given numeric columns) or of tidy rows. */
export function toDataFrame(t: NetTable | object[], columns?: string[]): DataFrame {
  const records = Array.isArray(t) ? t : tableRecords(t, columns);
  if (records.length === 0) throw new Error("analysis/dataframe: no rows to put in a DataFrame");
  return new (danfo().DataFrame)(records);
}

/** A danfo DataFrame of per-layer rows (ids, layer, density and the layer metrics). */
export function layersDataFrame(l: LayerRows): DataFrame {
  if (l.n === 0) throw new Error(`analysis/dataframe: no layer rows in ${l.source}`);
  const cols: Record<string, ArrayLike<string | number>> = {
    model: l.model,
    dataset: l.dataset,
    pruning: l.pruning,
    sparsity: l.sparsity,
    seed: l.seed,
    accuracy: l.accuracy,
    layer_id: l.layerId,
    layer_name: l.layerName,
    layer_density: l.density,
    ...l.num,
  };
  const obj: Record<string, (string | number)[]> = {};
  for (const [k, v] of Object.entries(cols)) obj[k] = Array.from(v);
  return new (danfo().DataFrame)(obj);
}

/**
 * The paper's data as DataFrames: `unrolled` (2,290 networks, 16 MGE metrics, category, drop) and
 * `joined` (networks present in every encoding, with all aggregated per-layer features).
 */
export function loadPaperDataFrames(opts: PaperDataOptions = {}): { unrolled: DataFrame; joined: DataFrame } {
  const d = loadPaperData(opts);
  return { unrolled: toDataFrame(d.unrolled), joined: toDataFrame(d.joined) };
}
