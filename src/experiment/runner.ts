/**
 * The grid runner: validates a grid, expands it into cells, skips the cells already in the results
 * folder, runs the rest on N slots (worker processes or in-process), and appends one row per
 * finished cell. Sparse cells wait for their dense baseline (same architecture, dataset, seed),
 * whose accuracy gives `dense_accuracy` and `accuracy_drop` = dense − sparse (absolute, fractions).
 *
 * Results folder layout:
 *   results.csv      sparse cells (columns: RESULT_COLUMNS, a superset of the paper's unrolled.csv)
 *   dense.csv        dense baselines (same columns; pruning = "dense", sparsity = 0)
 *   models/          trained networks (<cell_key>.safetensors), when metrics.saveModels
 *   failures.log     cells that raised (they are retried on the next run)
 *   grid.json        the grid and code version of the last run
 */
import { appendFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { silentProgress, type Progress } from "../util/progress";
import { currentSink } from "../notebook/output";
import { progressDisplay } from "../notebook/progress";
import { RESULT_COLUMNS, datasetDisplayName, modelDisplayName } from "./columns";
import { loadExecutorModule, resolveExecutorPath, type ExecutorModule, type Row } from "./executor";
import * as pipeline from "./pipeline";
import {
  cellLabel, expandGrid, shardCells,
  type Cell, type DenseCell, type GridSpec, type Shard, type SparseCell,
} from "./grid";
import { forkSlot, inProcessSlot, WorkerDiedError, type Slot } from "./pool";
import { archiveForeignRows, lockResultsDir, readResultsCsv, ResultsFile, writeJsonAtomic } from "./results";
import { canonicalJson } from "../util/json";
import { codeVersion as computeCodeVersion, packageVersion } from "./version";
import { machineCores, nativeThreads, setNativeThreads } from "../nn/native/index";

/**
 * Native-kernel threads per worker: `requested`, or the cores shared among the workers.
 * @throws when workers × requested exceeds the cores, or requested is not a positive integer.
 */
export function workerThreads(workers: number, requested: number | undefined, cores = machineCores()): number {
  if (requested === undefined) return Math.max(1, Math.floor(cores / Math.max(1, workers)));
  if (!Number.isInteger(requested) || requested < 1) throw new Error(`experiment/runner: threads must be a positive integer, got ${requested}`);
  if (workers * requested > cores) {
    throw new Error(`experiment/runner: ${workers} worker(s) × ${requested} thread(s) exceeds the ${cores} cores; lower --workers or --threads`);
  }
  return requested;
}

export interface RunOptions {
  grid: GridSpec;
  /** Results folder (created if absent). */
  resultsDir: string;
  /** Worker processes; 0 runs the cells in this process. Default: os.availableParallelism(). */
  workers?: number;
  /**
   * Threads of the native kernels (nn/native) in each worker. Default: the cores divided among the
   * workers (at least 1). workers × threads may not exceed the cores.
   */
  threads?: number;
  shard?: Shard;
  /** Default: an updating display in a notebook (src/notebook/progress.ts), else none. */
  progress?: Progress;
  /** Stop at the first failed cell instead of going on with the others. */
  failFast?: boolean;
  /** Receives one line per notable event (resume, failure); default: nothing. */
  log?: (line: string) => void;
  /** Only check the grid and count the cells; run nothing. */
  dryRun?: boolean;
}

export interface CellFailure {
  key: string;
  label: string;
  message: string;
}

export interface RunSummary {
  grid: string;
  codeVersion: string;
  /** Cells of this grid (or shard), dense baselines included. */
  total: number;
  /** Already in the results folder when the run started. */
  skipped: number;
  /** Finished by this run. */
  done: number;
  failed: CellFailure[];
  resultsFile: string;
  denseFile: string;
  /** Bytes of a torn last line removed on open (a previous run was killed mid-write). */
  repairedBytes: number;
  seconds: number;
}

export const RESULTS_FILE = "results.csv";
export const DENSE_FILE = "dense.csv";

/**
 * Every problem with a grid, checked before any work: the runner's own checks (parseGrid already ran)
 * plus the executor's (names of architectures, pruners, datasets; dataset files present).
 */
export async function validateGrid(grid: GridSpec): Promise<string[]> {
  let mod: ExecutorModule;
  try {
    mod = executorModule(grid);
  } catch (err) {
    return [`experiment/runner: executor '${grid.executor}' cannot be loaded: ${(err as Error).message}`];
  }
  return mod.validateGrid ? await mod.validateGrid(grid) : [];
}

/**
 * The grid's executor module. The real pipeline is imported statically, so that the tslab kernel
 * (which compiles only statically imported sources) can run grids in-process from a notebook.
 */
function executorModule(grid: GridSpec): ExecutorModule {
  if (!grid.executor || grid.executor === "pipeline") return pipeline;
  return loadExecutorModule(resolveExecutorPath(grid.executor));
}

function knownColumns(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) if (RESULT_COLUMNS.includes(k)) out[k] = v;
  return out;
}

function numberOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Bookkeeping columns the runner owns, whatever the executor returned. */
function completeRow(grid: GridSpec, cell: Cell, execRow: Row, info: Row, dense: Row | undefined, cv: string, seconds: number): Row {
  const accuracy = numberOrNull(execRow.accuracy);
  const denseAccuracy = cell.kind === "dense" ? accuracy : numberOrNull(dense?.accuracy);
  return {
    ...knownColumns(info),
    ...execRow,
    cell_key: cell.key,
    dense_key: cell.kind === "dense" ? cell.key : cell.denseKey,
    grid: grid.name,
    architecture: cell.architecture,
    training: canonicalJson(cell.training),
    model: modelDisplayName(cell.architecture),
    dataset: datasetDisplayName(cell.dataset),
    seed: cell.seed,
    pruning: cell.kind === "dense" ? "dense" : cell.pruner,
    sparsity: cell.kind === "dense" ? 0 : cell.sparsity,
    accuracy,
    dense_accuracy: denseAccuracy,
    accuracy_drop: accuracy !== null && denseAccuracy !== null ? denseAccuracy - accuracy : null,
    code_version: cv,
    lib_version: packageVersion(),
    node_version: process.version,
    finished_at: new Date().toISOString(),
    t_total_s: Math.round(seconds * 1000) / 1000,
  };
}

/**
 * Runs every cell of a grid that the results folder does not hold yet (resumable; parallel with
 * `workers`; one shard with `shard`), appending one row per cell to results.csv / dense.csv.
 * @example
 *   const summary = await runGrid({ grid: PRESETS.tiny(), resultsDir: "results/tiny", workers: 2 });
 * @throws when the grid does not validate (unknown architecture, pruner or dataset, missing
 *   dataset files), the results folder is locked by another run, or its rows come from another grid.
 */
export async function runGrid(options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const { grid } = options;
  // In a notebook the default is an updating display in the cell; elsewhere nothing.
  const progress = options.progress ?? (currentSink() ? progressDisplay(`grid ${grid.name}`) : silentProgress);
  const log = options.log ?? (() => {});
  const cv = grid.codeVersion ?? computeCodeVersion();

  const problems = await validateGrid(grid);
  if (problems.length > 0) throw new Error(problems.join("\n"));
  const executorPath = resolveExecutorPath(grid.executor);

  const cells = shardCells(expandGrid(grid, cv), options.shard);
  const total = cells.dense.length + cells.sparse.length;
  const resultsDir = path.resolve(options.resultsDir);
  const summary: RunSummary = {
    grid: grid.name,
    codeVersion: cv,
    total,
    skipped: 0,
    done: 0,
    failed: [],
    resultsFile: path.join(resultsDir, RESULTS_FILE),
    denseFile: path.join(resultsDir, DENSE_FILE),
    repairedBytes: 0,
    seconds: 0,
  };
  if (options.dryRun) return summary;

  const unlock = lockResultsDir(resultsDir);
  const slots: Slot[] = [];
  const handles: ResultsFile[] = [];
  let restoreThreads = (): void => undefined;
  try {
    // Open (repairing a torn last line), then move rows of other configurations or code versions
    // aside, so the files hold exactly this grid's finished cells.
    const openClean = (file: string, keys: Set<string>): ResultsFile => {
      const f = ResultsFile.open(file, RESULT_COLUMNS);
      summary.repairedBytes += f.repairedBytes;
      if (f.cellKeys().every((k) => keys.has(k))) return f;
      f.close();
      const moved = archiveForeignRows(file, keys);
      if (moved) log(`moved ${moved.rows} rows of another configuration or code version from ${path.basename(file)} to ${moved.archive}`);
      return ResultsFile.open(file, RESULT_COLUMNS);
    };
    const denseFile = openClean(summary.denseFile, new Set(cells.dense.map((c) => c.key)));
    handles.push(denseFile);
    const resultsFile = openClean(summary.resultsFile, new Set(cells.sparse.map((c) => c.key)));
    handles.push(resultsFile);
    if (summary.repairedBytes > 0) log(`removed a torn last line (${summary.repairedBytes} bytes) left by an interrupted run`);
    writeJsonAtomic(path.join(resultsDir, "grid.json"), { grid, codeVersion: cv, shard: options.shard ?? null });
    const artifactDir = path.join(resultsDir, "models");
    if (grid.metrics?.saveModels) mkdirSync(artifactDir, { recursive: true });

    const denseRows = new Map<string, Row>();
    if (denseFile.size > 0) {
      for (const row of readResultsCsv(denseFile.file).rows) denseRows.set(String(row.cell_key), row);
    }
    const queue: Cell[] = [];
    for (const c of cells.dense) if (!denseFile.has(c.key)) queue.push(c);
    for (const c of cells.sparse) if (!resultsFile.has(c.key)) queue.push(c);
    summary.skipped = total - queue.length;
    if (summary.skipped > 0) log(`${summary.skipped} of ${total} cells already done; ${queue.length} to run`);
    if (queue.length === 0) return summary;

    const requested = options.workers ?? os.availableParallelism();
    if (!Number.isInteger(requested) || requested < 0) throw new Error(`experiment/runner: workers must be a non-negative integer, got ${requested}`);
    const slotCount = requested === 0 ? 1 : Math.min(requested, queue.length);
    const makeSlot = (id: number): Promise<Slot> =>
      requested === 0 ? inProcessSlot(id, executorModule(grid), grid.executorOptions) : forkSlot(id, executorPath, grid.executorOptions);
    const perWorker = workerThreads(slotCount, options.threads);
    const envBefore = process.env.SNN_THREADS;
    const threadsBefore = nativeThreads();
    // forked workers read SNN_THREADS as their default; an in-process slot uses this process's count
    process.env.SNN_THREADS = String(perWorker);
    if (requested === 0) setNativeThreads(perWorker);
    restoreThreads = () => {
      if (envBefore === undefined) delete process.env.SNN_THREADS;
      else process.env.SNN_THREADS = envBefore;
      setNativeThreads(threadsBefore);
    };
    for (let i = 0; i < slotCount; i++) slots.push(await makeSlot(i));

    const todo = queue.length;
    let finished = 0;
    const failedDense = new Set<string>();
    const running = new Map<number, string>();
    const label = (): string => [...running.values()].join(" | ");
    progress.update(0, todo, label());

    const fail = (cell: Cell, message: string): void => {
      const f: CellFailure = { key: cell.key, label: cellLabel(cell), message };
      summary.failed.push(f);
      appendFileSync(path.join(resultsDir, "failures.log"), `${new Date().toISOString()} ${f.label} ${f.key}: ${message.replace(/\n/g, "\n    ")}\n`);
      log(`FAILED ${f.label}: ${message.split("\n")[0]}`);
      if (cell.kind === "dense") failedDense.add(cell.key);
      finished++;
      progress.update(finished, todo, label());
    };

    // Take the next runnable cell: dense cells first, then sparse cells whose baseline is known.
    // Sparse cells whose baseline failed fail too, without running.
    const next = (): Cell | undefined => {
      for (let i = 0; i < queue.length; i++) {
        const c = queue[i];
        if (c.kind === "dense") return queue.splice(i, 1)[0];
        if (failedDense.has(c.denseKey)) {
          queue.splice(i, 1);
          fail(c, `dense baseline ${c.denseKey} failed`);
          i--;
          continue;
        }
        if (denseRows.has(c.denseKey)) return queue.splice(i, 1)[0];
      }
      return undefined;
    };

    let stop = false;
    const work = async (slotIndex: number): Promise<void> => {
      for (;;) {
        if (stop) return;
        const cell = next();
        if (!cell) {
          // Nothing runnable now: either all is dispatched, or sparse cells wait for a baseline.
          if (queue.length === 0) return;
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        const slot = slots[slotIndex];
        const name = cellLabel(cell);
        running.set(slotIndex, name);
        progress.update(finished, todo, label());
        const t0 = Date.now();
        const dense = cell.kind === "sparse" ? denseRows.get((cell as SparseCell).denseKey) : undefined;
        try {
          const execRow = await slot.run(cell, artifactDir, dense, (stage) => {
            running.set(slotIndex, `${name} ${stage}`);
            progress.update(finished, todo, label());
          });
          const row = completeRow(grid, cell, execRow, slot.info, dense, cv, (Date.now() - t0) / 1000);
          if (cell.kind === "dense") {
            denseFile.append(row);
            denseRows.set(cell.key, row);
          } else resultsFile.append(row);
          summary.done++;
          finished++;
          running.delete(slotIndex);
          progress.update(finished, todo, label());
        } catch (err) {
          running.delete(slotIndex);
          fail(cell, (err as Error).message);
          if (options.failFast) stop = true;
          if (err instanceof WorkerDiedError) {
            // The process is gone (out of memory, killed); start a fresh one for the remaining cells.
            await slot.close().catch(() => {});
            slots[slotIndex] = await makeSlot(slot.id);
          }
        }
      }
    };
    await Promise.all(slots.map((_, i) => work(i)));
    for (const c of queue.splice(0)) fail(c as DenseCell | SparseCell, "not run (stopped after an earlier failure)");
    progress.finish(`${summary.done} cells done, ${summary.failed.length} failed, ${summary.skipped} skipped`);
    return summary;
  } finally {
    await Promise.all(slots.map((s) => s.close().catch(() => {})));
    restoreThreads();
    for (const h of handles) h.close();
    unlock();
    summary.seconds = (Date.now() - started) / 1000;
  }
}
