/**
 * The real cell executor: build → prune → train → evaluate → encode (MGE; rolled and
 * rolled-channel BGEs) → topometrics, one row per cell.
 *
 * - Dense cells train the unpruned network with the cell's seed (same initialisation as the sparse
 *   cells of that seed) and report its test accuracy; no graph metrics (a dense Conv-6 MGE has
 *   hundreds of millions of edges, and the paper has none either).
 * - Sparse cells: `pruneCell` (the pruner on the training data normalised per channel, exactly as the
 *   `prune` CLI and training see it); DST pruners return a training hook that moves the masks during
 *   training, and the graph is built from the *final* masks and trained weights, as the paper's
 *   (reference-notes §2.1 "Weights used"). The graph columns are `networkRow`'s (./network-row.ts):
 *   MGE topometrics in the paper's normalisation and the per-layer BGE / Ramanujan summaries.
 *
 * Everything is seeded by the cell's seed (initialisation, pruning batches, data order, motif
 * sampling), so a cell gives the same row wherever it runs — what makes shards mergeable.
 */
import { existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import path from "node:path";
import type { CellExecutor, CellContext, Row } from "./executor";
import type { Cell, GridSpec, SparseCell, TrainingConfig } from "./grid";
import * as augment from "../io/augment";
import type { ImageDataset } from "../io/augment";
import * as datasets from "../io/datasets";
import * as networkFile from "../io/network-file";
import * as tfBackend from "../nn/backend";
import * as nnArch from "../nn/architectures";
import { ARCHITECTURE_NAMES } from "../nn/architectures";
import * as nnModel from "../nn/model";
import * as pruning from "../pruning/index";
import { INIT_PRUNERS } from "../pruning/catalogue";
import * as trainer from "../train/index";
import type { TrainHook } from "../train/hooks";
import type { TrainRecipe } from "../train/recipes";
import * as version from "./version";
import { densityRow, networkRow, seconds } from "./network-row";

export const PIPELINE_ARCHITECTURES: readonly string[] = ARCHITECTURE_NAMES;
/**
 * The grid prunes freshly initialised networks: every pruner that needs no weights of its own (`set`
 * included, although the paper's grid has no SET runs; the magnitude pruners not).
 */
export const PIPELINE_PRUNERS: readonly string[] = INIT_PRUNERS;
export const PIPELINE_DATASETS: readonly string[] = datasets.GRID_DATASETS;

/** The folder of a dataset's files: the grid's dataDirs entry, else the dataset catalogue's default (io/datasets). */
function cellDatasetDir(dataset: string, dataDir: string | undefined): string | undefined {
  const id = datasets.findDataset(dataset);
  return id ? datasets.datasetDir(id, dataDir) : dataDir;
}

export function validateGrid(grid: GridSpec): string[] {
  const problems: string[] = [];
  const where = `experiment/pipeline: grid '${grid.name}'`;
  for (const a of grid.architectures) {
    if (!PIPELINE_ARCHITECTURES.includes(a)) problems.push(`${where}: unknown architecture '${a}' (known: ${PIPELINE_ARCHITECTURES.join(", ")})`);
  }
  for (const p of grid.pruners) {
    if (!PIPELINE_PRUNERS.includes(p)) problems.push(`${where}: unknown pruner '${p}' (known: ${PIPELINE_PRUNERS.join(", ")})`);
  }
  for (const d of grid.datasets) {
    if (!PIPELINE_DATASETS.includes(d)) {
      problems.push(`${where}: unknown dataset '${d}' (known: ${PIPELINE_DATASETS.join(", ")})`);
      continue;
    }
    const dir = cellDatasetDir(d, grid.dataDirs?.[d]);
    if (!dir) {
      problems.push(`${where}: dataset '${d}' needs its files: set dataDirs.${d} in the grid file (or SNN_DATASETS for the paper preset)`);
      continue;
    }
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      problems.push(`${where}: dataset '${d}': folder '${dir}' does not exist (put the files there, or point dataDirs.${d} in a grid file or SNN_DATASETS at them)`);
      continue;
    }
    for (const p of datasets.missingDatasetFiles(datasets.parseDatasetName(d), dir)) problems.push(`${where}: dataset '${d}': missing file '${p}'`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Data

interface DataPair {
  train: ImageDataset;
  test: ImageDataset;
}

/** Train and test splits of a dataset (Tiny-ImageNet: its val split, as the paper), via the dataset catalogue. */
function loadDataPair(dataset: string, dir: string): DataPair {
  return { train: datasets.loadDataset(dataset, "train", { dir }), test: datasets.loadDataset(dataset, "test", { dir }) };
}

function firstN(d: ImageDataset, n: number | undefined): ImageDataset {
  if (n === undefined || n >= d.count) return d;
  const per = d.height * d.width * d.channels;
  return { ...d, name: `${d.name} (first ${n})`, count: n, images: d.images.subarray(0, n * per), labels: d.labels.subarray(0, n) };
}

// ---------------------------------------------------------------------------------------------
// The executor

/**
 * The pruning step of a sparse cell: the cell's pruner on the freshly initialised model, with the
 * pruning batches drawn from the training set normalised per channel exactly as training (and the
 * `prune` CLI) normalise it, so that a cell's masks equal `snn-topology prune`'s for the same
 * architecture, dataset and seed.
 * @throws when the pruner is unknown or the sparsity is outside (0, 1) (see `prune`).
 */
export function pruneCell(cell: Pick<SparseCell, "pruner" | "sparsity" | "seed">, model: nnModel.TfSparseModel, trainSet: ImageDataset, norm: augment.Normalization = augment.channelStats(trainSet)): pruning.PruneOutcome {
  const batchSize = Math.min(trainSet.count, cell.pruner === "prospr" ? 512 : 128);
  return pruning.prune(cell.pruner, model, cell.sparsity, {
    seed: cell.seed,
    data: pruning.datasetPruneData(trainSet, { normalization: norm }),
    batchSize,
    samplesPerClass: Math.min(25, Math.floor(trainSet.count / trainSet.classes / 2) || 1),
  });
}

export function createExecutor(): CellExecutor {
  const dataCache = new Map<string, DataPair>();
  let ready: Promise<Row> | undefined;
  const init = (): Promise<Row> => {
    ready ??= tfBackend.initBackend().then((b) => ({ backend: b.backend, tfjs_version: b.tfjsVersion }));
    return ready;
  };

  const data = (cell: Cell): DataPair => {
    const dir = cellDatasetDir(cell.dataset, cell.dataDir);
    if (!dir) throw new Error(`experiment/pipeline: no folder for dataset '${cell.dataset}'`);
    const key = `${cell.dataset}|${dir}`;
    let d = dataCache.get(key);
    if (!d) {
      d = loadDataPair(cell.dataset, dir);
      dataCache.set(key, d);
    }
    return { train: firstN(d.train, cell.training.trainSubset), test: firstN(d.test, cell.training.testSubset) };
  };

  const recipeFor = (cell: Cell): TrainRecipe => {
    const base = trainer.referenceRecipe(cell.dataset, cell.architecture);
    const t: TrainingConfig = cell.training;
    return {
      ...base,
      epochs: t.epochs ?? base.epochs,
      batchSize: t.batchSize ?? base.batchSize,
      lr: t.learningRate ?? base.lr,
      momentum: t.momentum ?? base.momentum,
      weightDecay: t.weightDecay ?? base.weightDecay,
      imagesPerEpoch: t.maxStepsPerEpoch !== undefined ? t.maxStepsPerEpoch * (t.batchSize ?? base.batchSize) : base.imagesPerEpoch,
    };
  };

  return {
    info: init,
    async run(cell: Cell, ctx: CellContext): Promise<Row> {
      await init();
      const tStart = performance.now();
      const { train: trainSet, test: testSet } = data(cell);
      const spec = nnArch.buildArchitecture(cell.architecture, {
        inputSize: trainSet.height,
        inputChannels: trainSet.channels,
        classes: trainSet.classes,
        widthMultiplier: cell.training.widthMultiplier,
      });
      const model = nnModel.buildModel(spec, { seed: cell.seed });
      const row: Row = {};
      try {
        const norm = augment.channelStats(trainSet);
        const hooks: TrainHook[] = [];
        if (cell.kind === "sparse") {
          ctx.stage("prune");
          const t0 = performance.now();
          const outcome = pruneCell(cell, model, trainSet, norm);
          pruning.applyMasks(model, outcome.masks);
          if (outcome.hook) hooks.push(outcome.hook);
          row.t_prune_s = seconds(t0);
        }
        const recipe = recipeFor(cell);
        ctx.stage("train");
        let t0 = performance.now();
        let lastLabel = "";
        const result = trainer.train(model, { train: trainSet, normalization: norm }, recipe, {
          seed: cell.seed,
          hooks,
          progress: {
            update: (done, total) => {
              const label = `train ${Math.floor((100 * done) / Math.max(1, total))}%`;
              if (label !== lastLabel) {
                lastLabel = label;
                ctx.stage(label);
              }
            },
            finish: () => {},
          },
        });
        row.t_train_s = seconds(t0);
        row.train_steps = result.steps;
        ctx.stage("evaluate");
        t0 = performance.now();
        row.accuracy = trainer.evaluateForRecipe(model, testSet, norm, recipe, cell.seed).accuracy;
        row.t_eval_s = seconds(t0);

        const host = nnModel.modelToHost(model);
        Object.assign(row, densityRow(spec, host.masks).row);

        if (cell.metrics.saveModels) {
          mkdirSync(ctx.artifactDir, { recursive: true });
          const file = path.join(ctx.artifactDir, `${cell.key}.safetensors`);
          const tmp = `${file}.tmp-${process.pid}`;
          networkFile.saveNetwork(tmp, host.weights, host.masks, {
            architecture: cell.architecture,
            dataset: cell.dataset,
            pruning: cell.kind === "dense" ? "dense" : cell.pruner,
            sparsity: String(cell.kind === "dense" ? 0 : cell.sparsity),
            seed: String(cell.seed),
            accuracy: String(row.accuracy),
            cell_key: cell.key,
            code_version: version.codeVersion(),
          });
          renameSync(tmp, file);
          row.model_file = path.join("models", `${cell.key}.safetensors`);
        }
        if (cell.kind === "dense") return row;

        Object.assign(row, networkRow(spec, host.masks, { ...cell.metrics, weights: host.weights, seed: cell.seed, onStage: (label: string) => ctx.stage(label) }));
        row.t_total_s = seconds(tStart);
        return row;
      } finally {
        model.dispose();
      }
    },
  };
}
