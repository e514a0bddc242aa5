import path from "node:path";

/** Root of this package (the folder holding package.json), from both src/ and dist/. */
export function projectRoot(): string {
  return path.resolve(__dirname, "..", "..");
}

/**
 * Folder of the paper's released metrics (eliacunegatti/mge-snn: graph_metrics/, ramanunjan_results/).
 * `SNN_PAPER_DATA` wins; the default is ../shared/paper-data beside the project. It is never copied
 * into the repository: `npm run fetch-paper-data` downloads it for users elsewhere.
 */
export function paperDataDir(): string {
  const env = process.env.SNN_PAPER_DATA;
  if (env && env.length > 0) return path.resolve(env);
  return path.resolve(projectRoot(), "..", "shared", "paper-data");
}

/** Folder of the reference fixtures (networks + what the official code computed on them). */
export function referenceFixturesDir(): string {
  const env = process.env.SNN_REFERENCE_FIXTURES;
  if (env && env.length > 0) return path.resolve(env);
  return path.resolve(projectRoot(), "..", "shared", "reference");
}
