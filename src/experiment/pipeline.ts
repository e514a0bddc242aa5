/**
 * The real cell executor: prune → train → evaluate → encode (MGE, rolled BGEs) → topometrics.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import type { CellExecutor, Row } from "./executor";
import type { Cell, GridSpec } from "./grid";

export const PIPELINE_ARCHITECTURES = ["lenet300-100", "lenet5", "conv6", "resnet20", "resnet32", "wrn28-2", "mobilenetv2"];
export const PIPELINE_PRUNERS = ["snip", "grasp", "synflow", "prospr", "uniform", "er", "erk", "snfs", "rigl", "dsr", "itop"];
export const PIPELINE_DATASETS = ["fashion-mnist", "cifar10", "cifar100", "tinyimagenet"];

const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
const FASHION_MNIST_FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

/** Files each dataset needs inside its folder (checked before any work starts). */
function requiredFiles(dataset: string): string[] {
  switch (dataset) {
    case "fashion-mnist":
      return FASHION_MNIST_FILES;
    case "cifar10":
      return ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"];
    case "cifar100":
      return ["train.bin", "test.bin"];
    case "tinyimagenet":
      return ["wnids.txt", "train", path.join("val", "val_annotations.txt")];
    default:
      return [];
  }
}

export function datasetDir(dataset: string, dataDir: string | undefined): string | undefined {
  if (dataDir) return dataDir;
  if (dataset === "fashion-mnist") return process.env.SNN_FASHION_MNIST ?? FASHION_MNIST_DIR;
  return undefined;
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
    const dir = datasetDir(d, grid.dataDirs?.[d]);
    if (!dir) {
      problems.push(`${where}: dataset '${d}' needs its files: set dataDirs.${d} in the grid file (or SNN_DATASETS for the paper preset)`);
      continue;
    }
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      problems.push(`${where}: dataset '${d}': folder '${dir}' does not exist (put the files there, or point dataDirs.${d} in a grid file or SNN_DATASETS at them)`);
      continue;
    }
    for (const f of requiredFiles(d)) {
      const p = path.join(dir, f);
      if (!existsSync(p)) problems.push(`${where}: dataset '${d}': missing file '${p}'`);
    }
  }
  return problems;
}

export function createExecutor(): CellExecutor {
  return {
    run(cell: Cell): Promise<Row> {
      return Promise.reject(new Error(`experiment/pipeline: not wired yet (cell ${cell.key})`));
    },
  };
}
