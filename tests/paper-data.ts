// Test helper: the skip reason of a test that needs the paper's released data (eliacunegatti/mge-snn
// graph_data/, found by paperDataDir(): SNN_PAPER_DATA, the cache data/paper-data/, ../shared/paper-data).
// Every such test skips with a reason that starts with PAPER_DATA_SKIP, so scripts/test.js can count them.
import { existsSync } from "node:fs";
import path from "node:path";
import { paperDataDir } from "../src/io/paths";

export const PAPER_DATA_SKIP = "needs the paper's released data";

/** Absolute path of a file of the paper's data (relative to its root, e.g. graph_metrics/unrolled/unrolled.csv). */
export function paperDataFile(relative: string): string {
  return path.join(paperDataDir(), relative);
}

/** `false` when the file is present, else the skip reason (what is missing and how to get it). */
export function paperDataSkip(relative = "graph_metrics/unrolled/unrolled.csv"): false | string {
  const file = paperDataFile(relative);
  return existsSync(file) ? false : `${PAPER_DATA_SKIP} (not found in ${paperDataDir()}; get them with npm run fetch-paper-data, or set SNN_PAPER_DATA=DIR)`;
}
