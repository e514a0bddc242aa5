/**
 * The network a command works on, from its options: a safetensors file (`--weights`, architecture from
 * `--arch` or the file's metadata) or a seeded uniform random mask (`--random-mask`). Shared by the
 * commands that encode a network (encode, draw), so every one accepts the same sources.
 */
import { numberOption } from "./args";
import { buildArchitecture } from "../nn/architectures";
import { randomSparseNetwork } from "../nn/architectures-random";
import type { ArchSpec } from "../nn/spec";
import type { MaskMap, WeightMap } from "../nn/tensors";
import { readSafetensorsHeader } from "../io/safetensors";
import { loadNetwork } from "../nn/network-file";

/** Help lines of the network options. */
export const NETWORK_HELP = `network (one of):
  --weights FILE            safetensors with <layer>.weight (+ <layer>.weight_mask) tensors
  --random-mask SPARSITY    uniform random mask (layer-wise), Kaiming-normal weights; with --seed N (default 0)
architecture:
  --arch NAME               conv6 | resnet20 | resnet32 | wrn28-2 | mobilenetv2 | lenet300-100 | lenet5
                            (default: the file's __metadata__.architecture)
  --input-size N  --input-channels N  --classes N  --width-multiplier X`;

/** parseArgs declarations of the network options. */
export const NETWORK_OPTIONS = {
  weights: { type: "string" },
  "random-mask": { type: "string" },
  seed: { type: "string" },
  arch: { type: "string" },
  "input-size": { type: "string" },
  "input-channels": { type: "string" },
  classes: { type: "string" },
  "width-multiplier": { type: "string" },
} as const;

export type NetworkArgs = { [K in keyof typeof NETWORK_OPTIONS]?: string };

export interface CliNetwork {
  readonly spec: ArchSpec;
  readonly weights: WeightMap;
  readonly masks: MaskMap;
  /** "FILE" or "random-mask S seed N". */
  readonly source: string;
}

/**
 * Loads the network named by the options.
 * @throws (prefixed with `command`) when neither or both sources are given, no architecture is known, or an option is out of range.
 */
export function loadCliNetwork(command: string, o: NetworkArgs, help = ""): CliNetwork {
  if ((o.weights === undefined) === (o["random-mask"] === undefined)) throw new Error(`${command}: give exactly one of --weights FILE or --random-mask SPARSITY${help ? `\n\n${help}` : ""}`);
  let archName = o.arch;
  let fileMeta: Record<string, string> = {};
  if (o.weights) {
    const h = readSafetensorsHeader(o.weights);
    const m = h.__metadata__;
    if (m && typeof m === "object") fileMeta = m as Record<string, string>;
    archName ??= fileMeta.architecture;
  }
  if (!archName) throw new Error(`${command}: --arch is required (the weights file names no architecture)`);
  const fromMeta = (key: string): string | undefined => (o.weights ? fileMeta[key] : undefined);
  const spec: ArchSpec = buildArchitecture(archName, {
    inputSize: numberOption(command, "input-size", o["input-size"] ?? fromMeta("input_size"), 0, 1) || undefined,
    inputChannels: numberOption(command, "input-channels", o["input-channels"] ?? fromMeta("in_channels"), 0, 1) || undefined,
    classes: numberOption(command, "classes", o.classes ?? fromMeta("classes"), 0, 1) || undefined,
    widthMultiplier: numberOption(command, "width-multiplier", o["width-multiplier"], 1, 1e-6),
  });
  if (o.weights) {
    const { weights, masks } = loadNetwork(o.weights, spec);
    return { spec, weights, masks, source: o.weights };
  }
  const sparsity = numberOption(command, "random-mask", o["random-mask"], 0, 0, 1);
  const seed = numberOption(command, "seed", o.seed, 0, 0, 2 ** 32 - 1);
  const { weights, masks } = randomSparseNetwork(spec, sparsity, seed);
  return { spec, weights, masks, source: `random-mask ${o["random-mask"]} seed ${o.seed ?? 0}` };
}
