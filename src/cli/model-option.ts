/**
 * The `--model FILE|NAME` option shared by encode, metrics and prune: loads an ONNX file or a
 * built-in / torchvision name (src/nn/load-model.ts) with `--weights`, or seeded random masks
 * (`--random-mask S --seed N`) when the model brings no weights of its own, and picks the alignment
 * (default `exact` for imported DAGs, `reference` for the paper's ArchSpecs).
 */
import type { Architecture } from "../nn/architecture";
import { isDagSpec } from "../nn/dag";
import { loadModel } from "../nn/load-model";
import { randomSparseNetwork } from "../nn/architectures-random";
import type { MaskMap, WeightMap } from "../nn/tensors";
import type { Alignment } from "../encoding/plan";
import { numberOption } from "./args";

export interface ModelValues {
  model?: string;
  weights?: string;
  "random-mask"?: string;
  seed?: string;
  "input-size"?: string;
  classes?: string;
  alignment?: string;
}

export interface CliModel {
  readonly architecture: Architecture;
  readonly weights: WeightMap;
  readonly masks: MaskMap;
  readonly alignment: Alignment;
  /** Where the network came from, for metadata and messages. */
  readonly label: string;
}

/** @throws naming the command on a missing network, bad numbers or an unknown alignment. */
export function loadCliModel(command: string, o: ModelValues, needWeights = true): CliModel {
  const model = o.model as string;
  const inputSize = o["input-size"] !== undefined ? numberOption(command, "input-size", o["input-size"], 0, 1) : undefined;
  const classes = o.classes !== undefined ? numberOption(command, "classes", o.classes, 0, 1) : undefined;
  const loaded = loadModel(model, { weights: o.weights, inputSize, classes });
  const arch = loaded.architecture;
  let weights = loaded.weights;
  let masks = loaded.masks;
  let label = o.weights ? `${model} + ${o.weights}` : model;
  if (o["random-mask"] !== undefined) {
    if (weights && loaded.source !== "onnx") throw new Error(`${command}: give --weights or --random-mask, not both`);
    const sparsity = numberOption(command, "random-mask", o["random-mask"], 0, 0, 1);
    const seed = numberOption(command, "seed", o.seed, 0, 0, 2 ** 32 - 1);
    ({ weights, masks } = randomSparseNetwork(arch, sparsity, seed));
    label = `${model} random-mask ${sparsity} seed ${seed}`;
  }
  if (!weights || !masks) {
    if (needWeights) throw new Error(`${command}: --model ${model} is a built-in architecture without weights: give --weights FILE or --random-mask SPARSITY`);
    ({ weights, masks } = randomSparseNetwork(arch, 0, numberOption(command, "seed", o.seed, 0, 0, 2 ** 32 - 1)));
    label = `${model} Kaiming-normal init seed ${o.seed ?? 0}`;
  }
  const alignment = (o.alignment ?? (isDagSpec(arch) ? "exact" : "reference")) as Alignment;
  if (alignment !== "reference" && alignment !== "exact") throw new Error(`${command}: --alignment must be reference or exact, got '${alignment}'`);
  return { architecture: arch, weights, masks, alignment, label };
}
