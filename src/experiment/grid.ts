/**
 * Experiment grids: architecture × pruner × sparsity × seed × dataset, read from a preset or a JSON
 * file, validated before any work starts, and expanded into cells with stable keys.
 *
 * A grid expands into two kinds of cells:
 * - one *dense* baseline per (architecture, dataset, seed): trained without pruning, its accuracy is
 *   the reference for the accuracy drop of the sparse cells with the same seed;
 * - one *sparse* cell per (architecture, dataset, pruner, sparsity, seed).
 *
 * Every cell has a key: a hash of its full configuration (including the training recipe and metric
 * options that reach it) and the code version, so a finished cell is recognised on restart and a
 * changed configuration or changed code never reuses an old row.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { canonicalJson } from "../util/json";
import path from "node:path";

/** Training overrides; fields left out fall back to the executor's recipe for the dataset. */
export interface TrainingConfig {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  momentum?: number;
  weightDecay?: number;
  /** Use only the first n training examples (tiny grids, smoke tests). */
  trainSubset?: number;
  /** Evaluate on only the first n test examples. */
  testSubset?: number;
  /** Stop each epoch after this many optimiser steps. */
  maxStepsPerEpoch?: number;
  /** Multiplies every hidden width of the architecture. */
  widthMultiplier?: number;
}

/** Which graph metrics each cell computes. */
export interface MetricsConfig {
  /** 4-node motif count of the MGE: "exact", "estimate" (the paper's 0.1 % vertex sample) or "none". */
  motifs?: "exact" | "estimate" | "none";
  /** Per-layer rolled and rolled-channel BGE topometrics, aggregated into the row (mean over layers). */
  bge?: boolean;
  /** Ramanujan metrics on the rolled BGE, aggregated into the row. */
  ramanujan?: boolean;
  /** Save the trained network (weights + masks) as safetensors next to the results. */
  saveModels?: boolean;
}

export interface GridSpec {
  name: string;
  architectures: string[];
  datasets: string[];
  pruners: string[];
  sparsities: number[];
  seeds: number[];
  training?: TrainingConfig;
  /** Per-architecture training overrides on top of `training` (e.g. fewer epochs for the CNN). */
  trainingByArchitecture?: Record<string, TrainingConfig>;
  metrics?: MetricsConfig;
  /** Where user-provided dataset files live, by dataset id (CIFAR, Tiny-ImageNet). */
  dataDirs?: Record<string, string>;
  /** Executor module (path to a module exporting `createExecutor`); default: the real pipeline. */
  executor?: string;
  /** Options handed to the executor's factory (fake executors in tests use this). */
  executorOptions?: Record<string, unknown>;
  /** Fixed code version (default: computed from the package version and the pipeline sources). */
  codeVersion?: string;
}

export interface CellBase {
  /** Stable key: hash of `config` and the code version. */
  key: string;
  architecture: string;
  dataset: string;
  seed: number;
  training: TrainingConfig;
  metrics: MetricsConfig;
  dataDir?: string;
  executorOptions?: Record<string, unknown>;
}

export interface DenseCell extends CellBase {
  kind: "dense";
}

export interface SparseCell extends CellBase {
  kind: "sparse";
  pruner: string;
  sparsity: number;
  /** Key of the dense baseline this cell's accuracy drop refers to. */
  denseKey: string;
}

export type Cell = DenseCell | SparseCell;

const GRID_KEYS = new Set([
  "name", "architectures", "datasets", "pruners", "sparsities", "seeds", "training", "trainingByArchitecture",
  "metrics", "dataDirs", "executor", "executorOptions", "codeVersion", "$comment",
]);
const TRAINING_KEYS: readonly (keyof TrainingConfig)[] = [
  "epochs", "batchSize", "learningRate", "momentum", "weightDecay", "trainSubset", "testSubset", "maxStepsPerEpoch", "widthMultiplier",
];
const INTEGER_TRAINING_KEYS = new Set<keyof TrainingConfig>(["epochs", "batchSize", "trainSubset", "testSubset", "maxStepsPerEpoch"]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringList(where: string, field: string, v: unknown, problems: string[]): string[] {
  if (!Array.isArray(v) || v.length === 0) {
    problems.push(`${where}: '${field}' must be a non-empty array of strings`);
    return [];
  }
  const out: string[] = [];
  for (const x of v) {
    if (typeof x !== "string" || x.length === 0) problems.push(`${where}: '${field}' holds a non-string entry ${JSON.stringify(x)}`);
    else if (out.includes(x)) problems.push(`${where}: '${field}' lists '${x}' twice`);
    else out.push(x);
  }
  return out;
}

function numberList(where: string, field: string, v: unknown, problems: string[]): number[] {
  if (!Array.isArray(v) || v.length === 0) {
    problems.push(`${where}: '${field}' must be a non-empty array of numbers`);
    return [];
  }
  const out: number[] = [];
  for (const x of v) {
    if (typeof x !== "number" || !Number.isFinite(x)) problems.push(`${where}: '${field}' holds a non-number entry ${JSON.stringify(x)}`);
    else if (out.includes(x)) problems.push(`${where}: '${field}' lists ${x} twice`);
    else out.push(x);
  }
  return out;
}

function parseTraining(where: string, v: unknown, problems: string[]): TrainingConfig {
  if (v === undefined) return {};
  if (!isRecord(v)) {
    problems.push(`${where} must be an object`);
    return {};
  }
  const out: TrainingConfig = {};
  for (const [k, x] of Object.entries(v)) {
    if (!(TRAINING_KEYS as readonly string[]).includes(k)) {
      problems.push(`${where}: unknown training option '${k}' (known: ${TRAINING_KEYS.join(", ")})`);
      continue;
    }
    const key = k as keyof TrainingConfig;
    if (typeof x !== "number" || !Number.isFinite(x) || x < 0 || (INTEGER_TRAINING_KEYS.has(key) && (!Number.isInteger(x) || x < 1))) {
      problems.push(`${where}: '${k}' must be a ${INTEGER_TRAINING_KEYS.has(key) ? "positive integer" : "non-negative number"}, got ${JSON.stringify(x)}`);
      continue;
    }
    out[key] = x;
  }
  return out;
}

function parseMetrics(where: string, v: unknown, problems: string[]): MetricsConfig {
  if (v === undefined) return {};
  if (!isRecord(v)) {
    problems.push(`${where}: 'metrics' must be an object`);
    return {};
  }
  const out: MetricsConfig = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === "motifs") {
      if (x === "exact" || x === "estimate" || x === "none") out.motifs = x;
      else problems.push(`${where}: metrics.motifs must be "exact", "estimate" or "none", got ${JSON.stringify(x)}`);
    } else if (k === "bge" || k === "ramanujan" || k === "saveModels") {
      if (typeof x === "boolean") out[k] = x;
      else problems.push(`${where}: metrics.${k} must be true or false, got ${JSON.stringify(x)}`);
    } else {
      problems.push(`${where}: unknown metrics option '${k}' (known: motifs, bge, ramanujan, saveModels)`);
    }
  }
  return out;
}

/**
 * Checks the shape of a grid (types, sparsities in (0, 1), integer seeds, no duplicates) and returns
 * it typed. Names of architectures, pruners and datasets and the presence of dataset files are the
 * executor's to check (`validateGrid` in the runner calls both). Throws one Error listing every problem.
 */
export function parseGrid(raw: unknown, source = "grid"): GridSpec {
  const where = `experiment/grid: ${source}`;
  const problems: string[] = [];
  if (!isRecord(raw)) throw new Error(`${where}: a grid must be a JSON object, got ${Array.isArray(raw) ? "an array" : typeof raw}`);
  for (const k of Object.keys(raw)) {
    if (!GRID_KEYS.has(k)) problems.push(`${where}: unknown field '${k}' (known: ${[...GRID_KEYS].filter((x) => x !== "$comment").join(", ")})`);
  }
  const name = raw.name === undefined ? path.basename(source).replace(/\.json$/, "") : raw.name;
  if (typeof name !== "string" || !/^[A-Za-z0-9._-]+$/.test(name)) problems.push(`${where}: 'name' must be a string of letters, digits, '.', '_' or '-', got ${JSON.stringify(name)}`);
  const architectures = stringList(where, "architectures", raw.architectures, problems);
  const datasets = stringList(where, "datasets", raw.datasets, problems);
  const pruners = stringList(where, "pruners", raw.pruners, problems);
  const sparsities = numberList(where, "sparsities", raw.sparsities, problems);
  for (const s of sparsities) {
    if (!(s > 0 && s < 1)) problems.push(`${where}: sparsity ${s} is outside (0, 1)`);
  }
  const seeds = numberList(where, "seeds", raw.seeds, problems);
  for (const s of seeds) {
    if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) problems.push(`${where}: seed ${s} is not an integer in [0, 2^32)`);
  }
  const training = parseTraining(`${where}: 'training'`, raw.training, problems);
  const trainingByArchitecture: Record<string, TrainingConfig> = {};
  if (raw.trainingByArchitecture !== undefined) {
    if (!isRecord(raw.trainingByArchitecture)) problems.push(`${where}: 'trainingByArchitecture' must be an object keyed by architecture`);
    else {
      for (const [arch, t] of Object.entries(raw.trainingByArchitecture)) {
        if (!architectures.includes(arch)) problems.push(`${where}: trainingByArchitecture names '${arch}', which is not in 'architectures'`);
        trainingByArchitecture[arch] = parseTraining(`${where}: trainingByArchitecture.${arch}`, t, problems);
      }
    }
  }
  const metrics = parseMetrics(where, raw.metrics, problems);
  const dataDirs: Record<string, string> = {};
  if (raw.dataDirs !== undefined) {
    if (!isRecord(raw.dataDirs)) problems.push(`${where}: 'dataDirs' must be an object mapping dataset → folder`);
    else {
      for (const [ds, dir] of Object.entries(raw.dataDirs)) {
        if (typeof dir !== "string" || dir.length === 0) problems.push(`${where}: dataDirs.${ds} must be a folder path`);
        else dataDirs[ds] = dir;
      }
    }
  }
  if (raw.executor !== undefined && (typeof raw.executor !== "string" || raw.executor.length === 0)) problems.push(`${where}: 'executor' must be a module path`);
  if (raw.executorOptions !== undefined && !isRecord(raw.executorOptions)) problems.push(`${where}: 'executorOptions' must be an object`);
  if (raw.codeVersion !== undefined && (typeof raw.codeVersion !== "string" || raw.codeVersion.length === 0)) problems.push(`${where}: 'codeVersion' must be a non-empty string`);
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return {
    name: name as string,
    architectures,
    datasets,
    pruners,
    sparsities,
    seeds,
    training,
    trainingByArchitecture,
    metrics,
    dataDirs,
    executor: raw.executor as string | undefined,
    executorOptions: raw.executorOptions as Record<string, unknown> | undefined,
    codeVersion: raw.codeVersion as string | undefined,
  };
}

/** Reads and parses a grid JSON file; relative `dataDirs` and `executor` paths resolve against the file's folder. */
export function loadGridFile(file: string): GridSpec {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`experiment/grid: cannot read grid file '${file}': ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`experiment/grid: '${file}' is not valid JSON: ${(err as Error).message}`);
  }
  const grid = parseGrid(raw, file);
  const base = path.dirname(path.resolve(file));
  if (grid.dataDirs) {
    for (const [k, v] of Object.entries(grid.dataDirs)) grid.dataDirs[k] = path.resolve(base, v);
  }
  if (grid.executor && (grid.executor.startsWith("./") || grid.executor.startsWith("../"))) grid.executor = path.resolve(base, grid.executor);
  return grid;
}


export function hashKey(config: unknown, codeVersion: string): string {
  return createHash("sha256").update(canonicalJson(config)).update("\0").update(codeVersion).digest("hex").slice(0, 20);
}

/**
 * Expands a grid into cells: the dense baselines first (ordered by architecture, dataset, seed),
 * then the sparse cells ordered by architecture, dataset, seed, pruner, sparsity. The order and the
 * keys depend only on the grid and the code version, which is what makes shards reproducible.
 */
export function expandGrid(grid: GridSpec, codeVersion: string): { dense: DenseCell[]; sparse: SparseCell[] } {
  const dense: DenseCell[] = [];
  const sparse: SparseCell[] = [];
  const metrics = grid.metrics ?? {};
  for (const architecture of grid.architectures) {
    const training: TrainingConfig = { ...(grid.training ?? {}), ...(grid.trainingByArchitecture?.[architecture] ?? {}) };
    for (const dataset of grid.datasets) {
      const dataDir = grid.dataDirs?.[dataset];
      for (const seed of grid.seeds) {
        // The data folder is not part of the key: moving the files must not invalidate results.
        const base = { architecture, dataset, seed, training, executor: grid.executor ?? "pipeline", executorOptions: grid.executorOptions };
        const denseKey = hashKey({ kind: "dense", ...base, metrics: { saveModels: metrics.saveModels } }, codeVersion);
        dense.push({ kind: "dense", key: denseKey, architecture, dataset, seed, training, metrics, dataDir, executorOptions: grid.executorOptions });
        for (const pruner of grid.pruners) {
          for (const sparsity of grid.sparsities) {
            const key = hashKey({ kind: "sparse", ...base, metrics, pruner, sparsity }, codeVersion);
            sparse.push({ kind: "sparse", key, architecture, dataset, seed, training, metrics, dataDir, executorOptions: grid.executorOptions, pruner, sparsity, denseKey });
          }
        }
      }
    }
  }
  return { dense, sparse };
}

/** `i/n` with 0 ≤ i < n (0-based, as SLURM_ARRAY_TASK_ID with --array=0-(n-1)). */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`experiment/grid: --shard must look like i/n (e.g. 0/4), got '${text}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new Error(`experiment/grid: --shard ${text}: need 0 ≤ i < n`);
  return { index, count };
}

/**
 * The sparse cells of one shard: position modulo n in the expanded order, so shards are balanced
 * and their union is the whole grid. Each shard also runs the dense baselines its cells need
 * (they are deterministic, so the copies in different shards are equal and `merge` keeps one).
 */
export function shardCells(cells: { dense: DenseCell[]; sparse: SparseCell[] }, shard: Shard | undefined): { dense: DenseCell[]; sparse: SparseCell[] } {
  if (!shard || shard.count === 1) return cells;
  const sparse = cells.sparse.filter((_, i) => i % shard.count === shard.index);
  const needed = new Set(sparse.map((c) => c.denseKey));
  return { dense: cells.dense.filter((d) => needed.has(d.key)), sparse };
}

/** A short human label for progress displays and error messages. */
export function cellLabel(cell: Cell): string {
  return cell.kind === "dense"
    ? `${cell.architecture}/${cell.dataset}/dense/seed${cell.seed}`
    : `${cell.architecture}/${cell.dataset}/${cell.pruner}@${cell.sparsity}/seed${cell.seed}`;
}
