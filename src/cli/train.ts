/**
 * `snn-topology train`: trains a (pruned) network with masked momentum SGD and writes the trained
 * weights and masks as safetensors. The masks of `--weights` are kept fixed (masked weights stay 0),
 * unless `--dst METHOD` trains with a dynamic sparse training pruner (src/pruning/dst.ts) whose hook
 * prunes and regrows connections during training (its state goes into `--checkpoint` files).
 */
import type { Command } from "./main";
import { numberOption, parseCommandArgs, threadsOption } from "./args";
import { buildArchitecture } from "../nn/architectures";
import { describeBackend, initBackend, type BackendName } from "../nn/backend";
import { buildModel } from "../nn/model";
import { DATASET_IDS, loadDataset, parseDatasetName } from "../io/datasets";
import { referenceRecipe, RECIPES, type TrainRecipe } from "../train/recipes";
import { evaluateForRecipe, train } from "../train/train";
import { loadModelFile, saveModel } from "../train/checkpoint";
import { terminalProgress } from "../util/progress";
import { applyMasks, isPrunerName, prune, type DstConfig, type DstHook } from "../pruning/index";
import { DST_PRUNERS as DST_METHODS } from "../pruning/catalogue";


const HELP = `usage: snn-topology train --arch ARCH --dataset DATASET --out FILE [options]

Trains a network (dense, or pruned: the masks in --weights stay fixed, or with dynamic sparse
training under --dst) and saves weights + masks.

  --arch ARCH          conv6 | resnet20 | resnet32 | wrn28-2 | mobilenetv2 | lenet300-100 | lenet5
  --width W            width multiplier of the architecture (default 1)
  --dataset D          ${DATASET_IDS.join(" | ")}
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
  --threads N          threads of the native (oneDNN) kernels (default: the machine's cores)
  --checkpoint FILE    save after every epoch and resume from FILE when it exists (resume with
                       the same --dst options: the checkpoint holds the DST pruner's state)
  --stop-after-epochs N  stop after N epochs of this call (the schedule stays that of --epochs;
                       with --checkpoint, a later call continues)

dynamic sparse training (the masks move during training):
  --dst METHOD         ${DST_METHODS.join(" | ")}: start from the method's initial masks (or, with
                       --weights, from the file's masks) and prune/regrow with its schedule
  --sparsity S         target sparsity in (0, 1) of the initial masks (required with --dst
                       unless --weights gives the masks)
  --update-every N     steps between prune/regrow updates, or 'epoch' (default: the method's)
  --prune-rate R       fraction of active weights removed per update, in (0, 1) (default: the method's)
  --stop-fraction F    updates stop after this fraction of the total steps (default: the method's)
  --decay D            cosine | none: schedule of the prune rate (default: the method's)
  (the DST seed is --seed)
  --backend B          tensorflow | wasm | cpu (default: the best available)
`;

interface DstArgs {
  readonly method: string;
  readonly sparsity?: number;
  readonly config: Partial<DstConfig>;
}

function parseDstArgs(values: Record<string, string | boolean | undefined>): DstArgs | undefined {
  const str = (k: string): string | undefined => {
    const v = values[k];
    return typeof v === "string" ? v : undefined;
  };
  const method = str("dst")?.toLowerCase();
  const dstOnly = ["sparsity", "update-every", "prune-rate", "stop-fraction", "decay"].filter((k) => values[k] !== undefined);
  if (method === undefined) {
    if (dstOnly.length > 0) throw new Error(`train: ${dstOnly.map((k) => `--${k}`).join(", ")} only apply with --dst`);
    return undefined;
  }
  if (!(DST_METHODS as readonly string[]).includes(method) || !isPrunerName(method)) {
    throw new Error(`train: --dst must be one of ${DST_METHODS.join(", ")}, got '${str("dst")}'`);
  }
  const sparsityRaw = str("sparsity");
  if (sparsityRaw === undefined && values.weights === undefined) throw new Error(`train: --dst ${method} needs --sparsity (or --weights with the initial masks)`);
  let sparsity: number | undefined;
  if (sparsityRaw !== undefined) {
    sparsity = Number(sparsityRaw);
    if (!(Number.isFinite(sparsity) && sparsity > 0 && sparsity < 1)) throw new Error(`train: --sparsity must be a number in (0, 1), got '${sparsityRaw}'`);
  }
  const config: { -readonly [K in keyof DstConfig]?: DstConfig[K] } = {};
  const every = str("update-every");
  if (every !== undefined) {
    if (every === "epoch") config.updateEvery = "epoch";
    else {
      const n = Number(every);
      if (!(Number.isInteger(n) && n >= 1)) throw new Error(`train: --update-every must be a positive integer or 'epoch', got '${every}'`);
      config.updateEvery = n;
    }
  }
  const rate = str("prune-rate");
  if (rate !== undefined) {
    const r = Number(rate);
    if (!(Number.isFinite(r) && r > 0 && r < 1)) throw new Error(`train: --prune-rate must be a number in (0, 1), got '${rate}'`);
    config.pruneRate = r;
  }
  const stop = str("stop-fraction");
  if (stop !== undefined) {
    const f = Number(stop);
    if (!(Number.isFinite(f) && f > 0 && f <= 1)) throw new Error(`train: --stop-fraction must be a number in (0, 1], got '${stop}'`);
    config.stopFraction = f;
  }
  const decay = str("decay");
  if (decay !== undefined) {
    if (decay !== "cosine" && decay !== "none") throw new Error(`train: --decay must be cosine or none, got '${decay}'`);
    config.decay = decay;
  }
  return { method, ...(sparsity !== undefined ? { sparsity } : {}), config };
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
        threads: { type: "string" },
        checkpoint: { type: "string" },
        backend: { type: "string" },
        "stop-after-epochs": { type: "string" },
        dst: { type: "string" },
        sparsity: { type: "string" },
        "update-every": { type: "string" },
        "prune-rate": { type: "string" },
        "stop-fraction": { type: "string" },
        decay: { type: "string" },
      },
      HELP,
    );
    if (help) return 0;
    if (!values.arch || !values.dataset || !values.out) throw new Error(`train: --arch, --dataset and --out are required\n\n${HELP}`);
    const dstArgs = parseDstArgs(values);
    const backendArg = values.backend;
    if (backendArg !== undefined && backendArg !== "tensorflow" && backendArg !== "wasm" && backendArg !== "cpu") {
      throw new Error(`train: --backend must be tensorflow, wasm or cpu, got '${backendArg}'`);
    }
    const info = await initBackend(backendArg as BackendName | undefined);
    process.stderr.write(`backend: ${describeBackend(info)}\n`);

    const dataset = parseDatasetName(values.dataset, "train");
    const loading = (split: "train" | "test") => ({ dir: values["data-dir"], progress: dataset === "tinyimagenet" ? terminalProgress(`loading tiny-imagenet ${split}`) : undefined });
    const trainSet = loadDataset(dataset, "train", loading("train"));
    const testSet = loadDataset(dataset, "test", loading("test"));
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
    let hook: DstHook | undefined;
    if (dstArgs) {
      // with --weights the file's masks are the starting topology; the sparsity only sizes the initial masks we then discard
      const sparsity = dstArgs.sparsity ?? 1 - model.density();
      if (!(sparsity > 0 && sparsity < 1)) throw new Error(`train: --dst needs a sparsity in (0, 1); the masks of ${values.weights} have density ${model.density()}`);
      const outcome = prune(dstArgs.method, model, sparsity, { seed, dst: dstArgs.config });
      if (!outcome.hook) throw new Error(`train: pruner '${dstArgs.method}' returned no training hook`);
      hook = outcome.hook;
      if (!values.weights) applyMasks(model, outcome.masks);
      const cfg = hook.config;
      process.stderr.write(
        `dst ${dstArgs.method}: init ${values.weights ? values.weights : cfg.init}, density ${(model.density() * 100).toFixed(2)} %, update every ${cfg.updateEvery}, prune rate ${cfg.pruneRate} (${cfg.decay}), stop at ${cfg.stopFraction} of the steps, prune ${cfg.prune}, growth ${cfg.growth}, redistribution ${cfg.redistribution}\n`,
      );
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

    const stopAfter = values["stop-after-epochs"];
    const t0 = Date.now();
    const threads = threadsOption("train", values.threads);
    const res = train(model, { train: trainSet, test: testSet }, recipe, {
      seed,
      ...(threads !== undefined ? { threads } : {}),
      ...(hook ? { hooks: [hook] } : {}),
      ...(stopAfter !== undefined ? { stopAfterEpochs: numberOption("train", "stop-after-epochs", stopAfter, 0, 1) } : {}),
      progress: terminalProgress(`train ${spec.name} on ${values.dataset}`),
      ...(values.checkpoint ? { checkpoint: { path: values.checkpoint } } : {}),
    });
    const acc = res.testAccuracy ?? evaluateForRecipe(model, testSet, res.normalization, recipe, seed).accuracy;
    const secs = (Date.now() - t0) / 1000;
    saveModel(values.out, model, {
      dataset: values.dataset,
      seed: String(seed),
      recipe: JSON.stringify(recipe),
      test_accuracy: String(acc),
      density: String(model.density()),
      backend: describeBackend(info),
      ...(dstArgs && hook ? { dst: dstArgs.method, dst_config: JSON.stringify(hook.config), dst_updates: String(hook.updates.length) } : {}),
    });
    for (const e of res.epochs) {
      let dstNote = "";
      if (hook) {
        // the hook's log covers the whole run (restored from a checkpoint too); steps are global
        const first = e.epoch * e.steps;
        const inEpoch = hook.updates.filter((u) => u.step >= first && u.step < first + e.steps);
        const nnz = inEpoch.length > 0 ? inEpoch[inEpoch.length - 1].nonzeros : undefined;
        dstNote = ` dst ${inEpoch.length} update(s)${nnz !== undefined ? `, ${inEpoch.reduce((a, u) => a + u.grown, 0)} regrown, ${nnz} nonzeros` : ""}`;
      }
      process.stdout.write(`epoch ${e.epoch + 1}: lr ${e.lr} loss ${e.loss.toFixed(4)} (${e.seconds.toFixed(1)} s)${e.testAccuracy !== undefined ? ` test ${(e.testAccuracy * 100).toFixed(2)} %` : ""}${dstNote}\n`);
    }
    if (hook) {
      const d = hook.report(model);
      process.stdout.write(`dst ${hook.method}: ${hook.updates.length} update(s); realised density ${(d.global * 100).toFixed(4)} % (sparsity ${(1 - d.global).toFixed(6)})\n`);
    }
    process.stdout.write(`test top-1 ${(acc * 100).toFixed(2)} % after ${res.epochs.length} epoch(s), ${secs.toFixed(1)} s; wrote ${values.out}\n`);
    model.dispose();
    return 0;
  },
};
