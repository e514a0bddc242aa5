/**
 * Parameters a notebook takes from its environment, so `npm run notebooks -- --results FILE`
 * (which sets SNN_RESULTS_FILE) can point every analysis notebook at another results file
 * without editing the notebooks.
 */
import path from "node:path";
import { projectRoot } from "../io/paths";

/**
 * The results file a notebook should read: SNN_RESULTS_FILE if set, else `defaultPath`
 * (relative paths are taken from the project root). Absolute path.
 */
export function resultsFile(defaultPath: string): string {
  const env = process.env.SNN_RESULTS_FILE;
  const p = env && env.length > 0 ? env : defaultPath;
  return path.resolve(projectRoot(), p);
}
