/**
 * `snn-topology train`: trains a (pruned) network with masked momentum SGD and writes the trained
 * weights and masks as safetensors. The masks of `--weights` are kept fixed (masked weights stay 0).
 */
import type { Command } from "./main";
import { numberOption, parseCommandArgs } from "./args";
import { buildArchitecture } from "../nn/architectures";
import { describeBackend, initBackend, type BackendName } from "../nn/backend";
import { buildModel } from "../nn/model";
import { loadFashionMnist, loadMnist } from "../io/idx";
import { loadCifar10, loadCifar100 } from "../io/cifar";
import { loadTinyImageNet } from "../io/tinyimagenet";
import type { ImageDataset } from "../io/augment";
import { referenceRecipe, RECIPES, type TrainRecipe } from "../train/recipes";
import { evaluate, train } from "../train/train";
import { loadModelFile, saveModel } from "../train/checkpoint";
import { terminalProgress } from "../util/progress";

const DATASETS = ["fashion-mnist", "mnist", "cifar10", "cifar100", "tinyimagenet"] as const;

const HELP = `usage: snn-topology train --arch ARCH --dataset DATASET --out FILE [options]

Trains a network (dense, or pruned: the masks in --weights stay fixed) and saves weights + masks.

  --arch ARCH          conv6 | resnet20 | resnet32 | wrn28-2 | mobilenetv2 | lenet300-100 | lenet5
  --width W            width multiplier of the architecture (default 1)
  --dataset D          ${DATASETS.join(" | ")}
  --data-dir DIR       data folder (MNIST IDX files, cifar-10-batches-bin, cifar-100-binary,
                       tiny-imagenet-200); Fashion-MNIST defaults to Debian's package folder
  --weights FILE       start from these weights and masks (safetensors, PyTorch layout,
                       '<name>_mask' masks); tensors it lacks keep their fresh initialisation
  --out FILE           trained weights + masks (safetensors)
  --recipe NAME        ${Object.keys(RECIPES).join(" | ")}
                       (default: the reference recipe of the dataset and architecture)
  --epochs N           override the recipe's epochs
  --lr X               override the base learning rate
  --batch-size N       override the batch size
  --images-per-epoch N train on a seeded subset of N images per epoch
  --seed S             initialisation, shuffling and augmentation seed (default 0)
  --checkpoint FILE    save after every epoch and resume from FILE when it exists
  --backend B          tensorflow | wasm | cpu (default: the best available)
`;

function loadDataset(name: string, split: "train" | "test", dir: string | undefined): ImageDataset {
  switch (name) {
    case "fashion-mnist":
      return dir ? loadFashionMnist(split, dir) : loadFashionMnist(split);
    case "mnist":
      return loadMnist(split, dir);
    case "cifar10":
      return loadCifar10(split, dir);
    case "cifar100":
      return loadCifar100(split, dir);
    case "tinyimagenet":
      return loadTinyImageNet(split === "test" ? "val" : "train", dir, { progress: terminalProgress(`loading tiny-imagenet ${split}`) });
    default:
      throw new Error(`train: unknown dataset '${name}' (known: ${DATASETS.join(", ")})`);
  }
}

export const command: Command = {
  summary: "train a (pruned) network with masked SGD and save weights + masks as safetensors",
  async run(argv: string[]): Promise<number> {
    const { values, help } = parseCommandArgs(
      "train",
      argv,
      {
        arch: { type: "string" },
        width: { type: "string" },
        dataset: { type: "string" },
        "data-dir": { type: "string" },
        weights: { type: "string" },
        out: { type: "string" },
        recipe: { type: "string" },
        epochs: { type: "string" },
        lr: { type: "string" },
        "batch-size": { type: "string" },
        "images-per-epoch": { type: "string" },
        seed: { type: "string" },
        checkpoint: { type: "string" },
        backend: { type: "string" },
      },
      HELP,
    );
    if (help) return 0;
    if (!values.arch || !values.dataset || !values.out) throw new Error(`train: --arch, --dataset and --out are required\n\n${HELP}`);
    const backendArg = values.backend;
    if (backendArg !== undefined && backendArg !== "tensorflow" && backendArg !== "wasm" && backendArg !== "cpu") {
      throw new Error(`train: --backend must be tensorflow, wasm or cpu, got '${backendArg}'`);
    }
    const info = await initBackend(backendArg as BackendName | undefined);
    process.stderr.write(`backend: ${describeBackend(info)}\n`);

    const trainSet = loadDataset(values.dataset, "train", values["data-dir"]);
    const testSet = loadDataset(values.dataset, "test", values["data-dir"]);
    const width = numberOption("train", "width", values.width, 1, 1e-6);
    const spec = buildArchitecture(values.arch, {
      inputSize: trainSet.height,
      inputChannels: trainSet.channels,
      classes: trainSet.classes,
      widthMultiplier: width,
    });
    const seed = numberOption("train", "seed", values.seed, 0, 0);
    const model = buildModel(spec, { seed });
    if (values.weights) {
      loadModelFile(values.weights, model, { allowMissing: true });
      process.stderr.write(`loaded ${values.weights}: density ${(model.density() * 100).toFixed(2)} %\n`);
    }
    let recipe: TrainRecipe;
    if (values.recipe) {
      const r = (RECIPES as Record<string, TrainRecipe>)[values.recipe];
      if (!r) throw new Error(`train: unknown recipe '${values.recipe}' (known: ${Object.keys(RECIPES).join(", ")})`);
      recipe = r;
    } else recipe = referenceRecipe(values.dataset, spec.name);
    recipe = {
      ...recipe,
      epochs: numberOption("train", "epochs", values.epochs, recipe.epochs, 0),
      lr: numberOption("train", "lr", values.lr, recipe.lr, 0),
      batchSize: numberOption("train", "batch-size", values["batch-size"], recipe.batchSize, 1),
    };
    const ipe = values["images-per-epoch"];
    if (ipe !== undefined) recipe = { ...recipe, imagesPerEpoch: numberOption("train", "images-per-epoch", ipe, 0, 1) };

    const t0 = Date.now();
    const res = train(model, { train: trainSet, test: testSet }, recipe, {
      seed,
      progress: terminalProgress(`train ${spec.name} on ${values.dataset}`),
      ...(values.checkpoint ? { checkpoint: { path: values.checkpoint } } : {}),
    });
    const acc = res.testAccuracy ?? evaluate(model, testSet, res.normalization).accuracy;
    const secs = (Date.now() - t0) / 1000;
    saveModel(values.out, model, {
      dataset: values.dataset,
      seed: String(seed),
      recipe: JSON.stringify(recipe),
      test_accuracy: String(acc),
      density: String(model.density()),
      backend: describeBackend(info),
    });
    for (const e of res.epochs) {
      process.stdout.write(`epoch ${e.epoch + 1}: lr ${e.lr} loss ${e.loss.toFixed(4)} (${e.seconds.toFixed(1)} s)${e.testAccuracy !== undefined ? ` test ${(e.testAccuracy * 100).toFixed(2)} %` : ""}\n`);
    }
    process.stdout.write(`test top-1 ${(acc * 100).toFixed(2)} % after ${res.epochs.length} epoch(s), ${secs.toFixed(1)} s; wrote ${values.out}\n`);
    model.dispose();
    return 0;
  },
};
