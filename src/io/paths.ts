import { existsSync } from "node:fs";
import path from "node:path";

/** Root of this package (the folder holding package.json), from both src/ and dist/. */
export function projectRoot(): string {
  return path.resolve(__dirname, "..", "..");
}

/** Where the paper's released metrics are looked for, in order, and what each place is. */
export interface PaperDataLocation {
  readonly dir: string;
  readonly source: "SNN_PAPER_DATA" | "cache" | "../shared";
}

/**
 * The project's own cache of the paper's released metrics: `data/paper-data/` in the project
 * (gitignored). `npm run fetch-paper-data` (and the set-up step of npm install/start/test) fills it.
 */
export function paperDataCacheDir(): string {
  return path.join(projectRoot(), "data", "paper-data");
}

/**
 * The places searched for the paper's released metrics, in order: `SNN_PAPER_DATA` (when set, the
 * only place), the project cache `data/paper-data/`, then `../shared/paper-data` beside the project.
 */
export function paperDataLocations(): PaperDataLocation[] {
  const env = process.env.SNN_PAPER_DATA;
  if (env && env.length > 0) return [{ dir: path.resolve(env), source: "SNN_PAPER_DATA" }];
  return [
    { dir: paperDataCacheDir(), source: "cache" },
    { dir: path.resolve(projectRoot(), "..", "shared", "paper-data"), source: "../shared" },
  ];
}

/**
 * Folder of the paper's released metrics (eliacunegatti/mge-snn: graph_metrics/, ramanunjan_results/):
 * the first of `paperDataLocations()` that exists; when none does, the first one (where
 * `npm run fetch-paper-data` puts them), so error messages name it. Never inside the repository's
 * tracked files: the data are downloaded and verified on first use (io/paper-data.ts).
 */
export function paperDataDir(): string {
  const places = paperDataLocations();
  return (places.find((p) => existsSync(p.dir)) ?? places[0]).dir;
}

/**
 * Folder of the reference fixtures (networks + what the official code computed on them):
 * `data/reference/` in the repository, or `SNN_REFERENCE_FIXTURES`.
 */
export function referenceFixturesDir(): string {
  const env = process.env.SNN_REFERENCE_FIXTURES;
  if (env && env.length > 0) return path.resolve(env);
  return path.join(projectRoot(), "data", "reference");
}
