/**
 * Built-in grids.
 * - `quick` (the default of `npm start`): Fashion-MNIST, LeNet-300-100 (2 epochs) and LeNet-5
 *   (1 epoch), all 11 pruners, sparsities 0.8/0.9/0.95, seeds 0/1: 132 sparse cells + 4 dense
 *   baselines, sized to finish in under an hour on 2 cores (docs/feasibility-tfjs.md §9 estimate).
 * - `paper`: the paper's grid (reference-notes §4): Conv-6, ResNet-20/32, WRN-28-2 on CIFAR-10/100
 *   and Tiny-ImageNet from user-provided files, 11 pruners, 5 sparsities, 3 seeds, full recipes.
 * - `tiny`: 1 architecture × 1 pruner × 1 sparsity × 1 seed on 512 Fashion-MNIST images, for smoke
 *   tests (seconds).
 */
import path from "node:path";
import { projectRoot } from "../io/paths";
import { PAPER_PRUNERS } from "../pruning/catalogue";
import { loadGridFile, parseGrid, type GridSpec } from "./grid";

export const ALL_PRUNERS: string[] = [...PAPER_PRUNERS];

/**
 * Folder holding user-provided datasets for the paper grid: `SNN_DATASETS`, else data/datasets/ in
 * the project. Expected inside: cifar-10-batches-bin/, cifar-100-binary/, tiny-imagenet-200/
 * (each overridable by SNN_CIFAR10, SNN_CIFAR100, SNN_TINYIMAGENET, as for src/io's loaders).
 */
export function datasetsDir(): string {
  const env = process.env.SNN_DATASETS;
  return env && env.length > 0 ? path.resolve(env) : path.join(projectRoot(), "data", "datasets");
}

function envDir(name: string): string | undefined {
  const v = process.env[name];
  return v && v.length > 0 ? path.resolve(v) : undefined;
}

function quick(): GridSpec {
  return parseGrid(
    {
      name: "quick",
      architectures: ["lenet300-100", "lenet5"],
      datasets: ["fashion-mnist"],
      pruners: ALL_PRUNERS,
      sparsities: [0.8, 0.9, 0.95],
      seeds: [0, 1],
      training: { batchSize: 128 },
      trainingByArchitecture: { "lenet300-100": { epochs: 2 }, lenet5: { epochs: 1 } },
      metrics: { motifs: "exact", bge: true, ramanujan: true, saveModels: true },
    },
    "preset quick",
  );
}

function paper(): GridSpec {
  const root = datasetsDir();
  return parseGrid(
    {
      name: "paper",
      architectures: ["conv6", "resnet20", "resnet32", "wrn28-2"],
      datasets: ["cifar10", "cifar100", "tinyimagenet"],
      pruners: ALL_PRUNERS,
      sparsities: [0.6, 0.8, 0.9, 0.95, 0.98],
      seeds: [0, 1, 2],
      metrics: { motifs: "estimate", bge: true, ramanujan: true, saveModels: true },
      dataDirs: {
        cifar10: envDir("SNN_CIFAR10") ?? path.join(root, "cifar-10-batches-bin"),
        cifar100: envDir("SNN_CIFAR100") ?? path.join(root, "cifar-100-binary"),
        tinyimagenet: envDir("SNN_TINYIMAGENET") ?? path.join(root, "tiny-imagenet-200"),
      },
    },
    "preset paper",
  );
}

function tiny(): GridSpec {
  return parseGrid(
    {
      name: "tiny",
      architectures: ["lenet300-100"],
      datasets: ["fashion-mnist"],
      pruners: ["uniform"],
      sparsities: [0.9],
      seeds: [0],
      training: { epochs: 1, batchSize: 64, trainSubset: 512, testSubset: 256, widthMultiplier: 0.25 },
      metrics: { motifs: "exact", bge: true, ramanujan: true, saveModels: true },
    },
    "preset tiny",
  );
}

export const PRESETS: Record<string, () => GridSpec> = { quick, paper, tiny };

/** A preset by name, or a grid JSON file by path. */
export function resolveGrid(nameOrFile: string): GridSpec {
  const preset = PRESETS[nameOrFile];
  if (preset) return preset();
  if (nameOrFile.endsWith(".json") || nameOrFile.includes("/")) return loadGridFile(nameOrFile);
  throw new Error(`experiment/presets: unknown grid '${nameOrFile}' (presets: ${Object.keys(PRESETS).join(", ")}; or a path to a .json file)`);
}
