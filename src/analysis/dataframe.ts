/**
 * danfojs-node DataFrames of the analysis tables, for notebooks and interactive use. danfo is
 * required lazily (it takes 1–4 s to import), so the CLI and the library never pay for it.
 */
import type { DataFrame } from "danfojs-node";
import { tableRecords, type NetTable } from "./data";

/** A danfo DataFrame of a NetTable (ids, accuracy, drop and the given numeric columns) or of tidy rows. */
export function toDataFrame(t: NetTable | object[], columns?: string[]): DataFrame {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const danfo = require("danfojs-node") as typeof import("danfojs-node");
  const records = Array.isArray(t) ? t : tableRecords(t, columns);
  if (records.length === 0) throw new Error("analysis/dataframe: no rows to put in a DataFrame");
  return new danfo.DataFrame(records);
}
