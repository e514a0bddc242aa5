/**
 * The dataset catalogue: one descriptor per image dataset (id, aliases, the paper's spelling, the
 * environment variable of its folder, the files it needs, its loader and its normalisation), and
 * the one `loadDataset` that the CLIs, the experiment grid and the notebooks load a dataset by name
 * through. Adding a dataset: its reader module and one entry here.
 *
 * Normalisation: every consumer (training, the pruning batches, evaluation) normalises with the
 * per-channel mean and standard deviation of the training split (`channelStats`), which
 * `datasetNormalization` computes; the reference code's fixed CIFAR constants are those statistics.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Progress } from "../util/progress";
import { channelStats, type ImageDataset, type Normalization } from "./augment";
import { loadCifar10, loadCifar100 } from "./cifar";
import { FASHION_MNIST_DIR, loadFashionMnist, loadMnist } from "./idx";
import { loadTinyImageNet } from "./tinyimagenet";

export type DatasetSplit = "train" | "test";

export interface DatasetLoadOptions {
  /** The folder of the dataset's files (default: its environment variable, else its default folder). */
  readonly dir?: string;
  readonly progress?: Progress;
}

export interface DatasetInfo {
  /** Other spellings accepted by name look-ups (compared lower-case, without '-', '_' and spaces). */
  readonly aliases: readonly string[];
  /** The paper's spelling (the `dataset` column of unrolled.csv). */
  readonly displayName: string;
  /** Environment variable naming the dataset's folder. */
  readonly env: string;
  /** Files (relative to the folder) that must exist before any work starts; IDX files may be gzipped or not. */
  readonly requiredFiles: readonly string[];
  /** Part of the experiment grid's datasets (MNIST is a CLI convenience only). */
  readonly grid: boolean;
  /** Reads one split; `test` is Tiny-ImageNet's val split, as in the paper. */
  readonly load: (split: DatasetSplit, dir: string | undefined, progress: Progress | undefined) => ImageDataset;
}

const IDX_FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

export const DATASETS = {
  "fashion-mnist": {
    aliases: ["fmnist"],
    displayName: "Fashion-MNIST",
    env: "SNN_FASHION_MNIST",
    requiredFiles: IDX_FILES,
    grid: true,
    load: (split, dir) => (dir ? loadFashionMnist(split, dir) : loadFashionMnist(split)),
  },
  mnist: { aliases: [], displayName: "MNIST", env: "SNN_MNIST", requiredFiles: IDX_FILES, grid: false, load: (split, dir) => loadMnist(split, dir) },
  cifar10: {
    aliases: [],
    displayName: "CIFAR-10",
    env: "SNN_CIFAR10",
    requiredFiles: ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"],
    grid: true,
    load: (split, dir) => loadCifar10(split, dir),
  },
  cifar100: { aliases: [], displayName: "CIFAR-100", env: "SNN_CIFAR100", requiredFiles: ["train.bin", "test.bin"], grid: true, load: (split, dir) => loadCifar100(split, dir) },
  tinyimagenet: {
    aliases: [],
    displayName: "tinyimagenet",
    env: "SNN_TINYIMAGENET",
    requiredFiles: ["wnids.txt", "train", path.join("val", "val_annotations.txt")],
    grid: true,
    load: (split, dir, progress) => loadTinyImageNet(split === "test" ? "val" : "train", dir, { progress }),
  },
} as const satisfies Record<string, DatasetInfo>;

export type DatasetId = keyof typeof DATASETS;
export const DATASET_IDS = Object.keys(DATASETS) as readonly DatasetId[];
/** The datasets of the experiment grid. */
export const GRID_DATASETS: readonly DatasetId[] = DATASET_IDS.filter((d) => DATASETS[d].grid);

const squash = (s: string): string => s.toLowerCase().replace(/[-_ ]/g, "");

/** The id of a dataset given by id, alias or paper spelling (case, '-', '_' and spaces ignored); undefined if unknown. */
export function findDataset(name: string): DatasetId | undefined {
  const key = squash(name);
  return DATASET_IDS.find((d) => squash(d) === key || squash(DATASETS[d].displayName) === key || DATASETS[d].aliases.some((a) => squash(a) === key));
}

/** Like findDataset. @throws naming the unknown name and the known ids, spoken by `who`. */
export function parseDatasetName(name: string, who = "io/datasets"): DatasetId {
  const id = findDataset(name);
  if (!id) throw new Error(`${who}: unknown dataset '${name}' (known: ${DATASET_IDS.join(", ")})`);
  return id;
}

/** The paper's spelling of a dataset (unrolled.csv's `dataset` column), else the name itself. */
export function datasetDisplayName(name: string): string {
  const id = findDataset(name);
  return id ? DATASETS[id].displayName : name;
}

/** The folder of a dataset's files: `dir` if given, else its environment variable, else its default folder (Fashion-MNIST: Debian's). */
export function datasetDir(id: DatasetId, dir?: string): string | undefined {
  if (dir) return dir;
  const env = process.env[DATASETS[id].env];
  if (env) return env;
  return id === "fashion-mnist" ? FASHION_MNIST_DIR : undefined;
}

/** The required files missing from a dataset's folder (absolute paths); IDX files count when gzipped or not. */
export function missingDatasetFiles(id: DatasetId, dir: string): string[] {
  return DATASETS[id].requiredFiles
    .map((f) => path.join(dir, f))
    .filter((p) => !existsSync(p) && !(p.endsWith(".gz") && existsSync(p.slice(0, -3))));
}

/**
 * Loads one split of a dataset by name.
 * @example
 *   const train = loadDataset("cifar10", "train", { dir: "/data/cifar-10-batches-bin" });
 * @throws on an unknown name, a missing folder or file, or a malformed file (the reader names it).
 */
export function loadDataset(name: string, split: DatasetSplit, options: DatasetLoadOptions = {}): ImageDataset {
  const id = parseDatasetName(name);
  return DATASETS[id].load(split, options.dir ?? datasetDir(id), options.progress);
}

/** The normalisation every stage applies to a dataset: the per-channel statistics of its training split. */
export function datasetNormalization(train: ImageDataset): Normalization {
  return channelStats(train);
}
