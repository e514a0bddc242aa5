/**
 * One entry point for a network to study: an ONNX file (any CNN exported from PyTorch), a built-in
 * architecture name (the paper's seven, or torchvision's ResNet-18/34/50/101/152), with weights and
 * masks from the ONNX initializers or a separate weights file (`.pt`/`.pth` state dict, or
 * safetensors; `torch.nn.utils.prune`'s `weight_orig` + `weight_mask` layout or masked weights +
 * `<name>_mask`, src/io/prune-layout.ts).
 *
 * Name matching: a weight `L.weight` of the architecture takes the file tensor `L.weight` (its ONNX
 * initializer name also works when the export renamed it); masks `L.weight_mask` likewise. Without a
 * mask, mask = weight ≠ 0. File tensors named `*.weight` with 2 or 4 dims that match no layer are an
 * error (a wrong file, or a model whose layers are named differently); biases and batch-norm
 * parameters are ignored (they have no edges). O(file size).
 */
import path from "node:path";
import { readOnnx } from "../io/onnx/read";
import { decodedToFloat32, type DecodedTensor } from "../io/tensor";
import { readWeightsFile } from "../io/weights-file";
import { architectureWeights, type Architecture } from "./architecture";
import { ARCHITECTURE_NAMES, buildArchitecture } from "./architectures";
import { dagFromOnnx } from "./onnx-import";
import { torchvisionResnet, type TorchvisionResnet } from "./torchvision-resnet";
import type { MaskMap, WeightMap } from "./tensors";

export interface LoadModelOptions {
  /** A weights file (.pt, .pth, .safetensors) whose tensors replace / mask the model's. */
  readonly weights?: string;
  /** Input side (ONNX files with a symbolic size; built-ins: their input size). */
  readonly inputSize?: number;
  /** Built-ins only. */
  readonly classes?: number;
  readonly inputChannels?: number;
}

export interface LoadedModel {
  readonly architecture: Architecture;
  /** Null for a built-in name without a weights file. */
  readonly weights: WeightMap | null;
  readonly masks: MaskMap | null;
  /** What was read: "onnx", "builtin". */
  readonly source: "onnx" | "builtin";
}

const TORCHVISION: readonly TorchvisionResnet[] = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152"];

/**
 * Weights and masks of `arch` from a weights file, on top of `base` weights (ONNX initializers).
 * @throws naming the file and tensor on a missing weight (when there is no base), a shape mismatch,
 * or an unmatched `*.weight` tensor.
 */
export function weightsForArchitecture(arch: Architecture, file: string | undefined, base: WeightMap | null, aliases: ReadonlyMap<string, string> = new Map()): { weights: WeightMap; masks: MaskMap } {
  const where = `nn/load-model: ${file ?? arch.name}`;
  const loaded = file ? readWeightsFile(file) : null;
  const weights: WeightMap = new Map();
  const masks: MaskMap = new Map();
  const used = new Set<string>();
  for (const w of architectureWeights(arch)) {
    const names = [w.name, aliases.get(w.name)].filter((n): n is string => typeof n === "string");
    const key = loaded ? names.find((n) => loaded.tensors.has(n)) : undefined;
    let data: Float32Array;
    if (loaded && key) {
      const t = loaded.tensors.get(key) as DecodedTensor;
      if (t.dims.join(",") !== w.shape.join(",")) throw new Error(`${where}: tensor '${key}' has shape [${t.dims.join(", ")}], layer ${w.layer} needs [${w.shape.join(", ")}]`);
      data = decodedToFloat32(t);
      used.add(key);
    } else {
      const b = base?.get(w.name);
      if (!b) throw new Error(`${where}: no tensor '${names.join("' or '")}' for layer ${w.layer} [${w.shape.join(", ")}]`);
      data = b.data;
    }
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) throw new Error(`${where}: weight '${w.name}' has a non-finite value ${data[i]} at flat index ${i}`);
    weights.set(w.name, { shape: w.shape, data });
    const mkey = loaded ? names.find((n) => loaded.masks.has(n)) : undefined;
    const m = new Uint8Array(data.length);
    if (loaded && mkey) {
      const t = loaded.masks.get(mkey) as DecodedTensor;
      if (t.dims.join(",") !== w.shape.join(",")) throw new Error(`${where}: mask '${mkey}_mask' has shape [${t.dims.join(", ")}], layer ${w.layer} needs [${w.shape.join(", ")}]`);
      m.set(t.data as Uint8Array);
      used.add(mkey);
    } else for (let i = 0; i < data.length; i++) m[i] = data[i] !== 0 ? 1 : 0;
    masks.set(w.name, { shape: w.shape, data: m });
  }
  if (loaded) {
    for (const [name, t] of loaded.tensors) {
      if (!used.has(name) && name.endsWith(".weight") && (t.dims.length === 4 || t.dims.length === 2) && !loaded.masks.has(name)) {
        throw new Error(`${where}: tensor '${name}' [${t.dims.join(", ")}] matches no conv/linear layer of ${arch.name} (layers: ${architectureWeights(arch).slice(0, 6).map((w) => w.name).join(", ")}, …)`);
      }
    }
  }
  return { weights, masks };
}

/**
 * @example const { architecture, weights, masks } = loadModel("resnet18.onnx.gz", { weights: "pruned.pt" });
 * @example loadModel("resnet20", { weights: "net.safetensors" }) // a built-in ArchSpec
 * @throws for an unknown name or extension, and whatever the readers and the importer refuse.
 */
export function loadModel(model: string, options: LoadModelOptions = {}): LoadedModel {
  const lower = model.toLowerCase();
  if (lower.endsWith(".onnx") || lower.endsWith(".onnx.gz")) {
    const imported = dagFromOnnx(readOnnx(model), { inputSize: options.inputSize, name: path.basename(model).replace(/\.onnx(\.gz)?$/i, "") });
    const { weights, masks } = weightsForArchitecture(imported.dag, options.weights, imported.weights, imported.initializerNames);
    return { architecture: imported.dag, weights, masks, source: "onnx" };
  }
  if (/\.(pt|pth|safetensors|bin)$/i.test(model)) {
    throw new Error(`nn/load-model: ${model} is a weights file; give the architecture (an .onnx file or a built-in name) as the model and this file as its weights`);
  }
  let arch: Architecture;
  if ((TORCHVISION as readonly string[]).includes(lower)) {
    arch = torchvisionResnet(lower as TorchvisionResnet, { inputSize: options.inputSize, classes: options.classes });
  } else {
    try {
      arch = buildArchitecture(model, { inputSize: options.inputSize, classes: options.classes, inputChannels: options.inputChannels });
    } catch (e) {
      throw new Error(`nn/load-model: '${model}' is neither an .onnx/.onnx.gz file nor a built-in architecture (${[...ARCHITECTURE_NAMES, ...TORCHVISION].join(", ")}): ${(e as Error).message}`);
    }
  }
  if (!options.weights) return { architecture: arch, weights: null, masks: null, source: "builtin" };
  const { weights, masks } = weightsForArchitecture(arch, options.weights, null);
  return { architecture: arch, weights, masks, source: "builtin" };
}
