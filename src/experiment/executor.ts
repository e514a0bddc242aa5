/**
 * The pluggable part of the grid runner: what one cell does. The runner (scheduling, resume,
 * sharding, workers, progress) never looks inside; the real executor is src/experiment/pipeline.ts
 * (prune → train → evaluate → encode → topometrics), tests use fast fakes.
 *
 * An executor module exports `createExecutor(options)`; workers load it by path, so a grid can
 * name its own executor module (`"executor": "./my-executor.ts"`).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Cell, GridSpec } from "./grid";

/** One value of a results row; null and NaN are written as empty fields. */
export type RowValue = string | number | boolean | null;
export type Row = Record<string, RowValue>;

export interface CellContext {
  /** Folder for the cell's artifacts (trained networks as safetensors). */
  artifactDir: string;
  /** For sparse cells: the row of the dense baseline with the same architecture, dataset and seed. */
  dense?: Row;
  /** Reports the current stage ("prune", "train 1/2", "encode", …) to the progress display. */
  stage(name: string): void;
}

export interface CellExecutor {
  /**
   * Runs one cell and returns its row: for every cell at least `accuracy`; sparse cells add
   * `realised_sparsity`, `nodes`, `edges` and the topometrics columns; `t_<stage>_s` timings.
   * The runner adds the bookkeeping columns (keys, configuration, dense accuracy, drop, versions).
   */
  run(cell: Cell, ctx: CellContext): Promise<Row>;
  /** Versions and backend to record in every row (e.g. { backend: "wasm", tfjs_version: "4.22.0" }). */
  info?(): Promise<Row> | Row;
  /** Releases resources when the worker stops. */
  close?(): Promise<void> | void;
}

export interface ExecutorModule {
  createExecutor(options?: Record<string, unknown>): CellExecutor | Promise<CellExecutor>;
  /**
   * Problems with a grid that this executor would hit (unknown architecture/pruner/dataset, missing
   * dataset files, naming the path), checked in the parent before any work starts.
   */
  validateGrid?(grid: GridSpec): string[] | Promise<string[]>;
}

/**
 * Default executor: the real pipeline next to this file, as an extension-less absolute path, which
 * `require` resolves under tsx (.ts), in dist/ (.js) and in the tslab kernel (whose loader maps
 * local .js requests to the .ts sources but does not support `require.resolve` on them).
 */
export function defaultExecutorPath(): string {
  return path.join(__dirname, "pipeline");
}

export function resolveExecutorPath(spec: string | undefined): string {
  if (!spec || spec === "pipeline") return defaultExecutorPath();
  try {
    return require.resolve(spec, { paths: [process.cwd()] });
  } catch (err) {
    const abs = path.resolve(spec);
    if (existsSync(abs)) return abs;
    throw err;
  }
}

export function loadExecutorModule(modulePath: string): ExecutorModule {
  const mod = require(modulePath) as Partial<ExecutorModule>;
  if (typeof mod.createExecutor !== "function") {
    throw new Error(`experiment/executor: module '${modulePath}' does not export createExecutor(options)`);
  }
  return mod as ExecutorModule;
}
