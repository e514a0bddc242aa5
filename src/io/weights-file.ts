/**
 * A weights file of either kind a pruned network comes in, told by its first bytes: a PyTorch
 * `torch.save` checkpoint (zip; the legacy pickle format too, to refuse it with its hint) or
 * safetensors (anything else). Its state dict is returned with `torch.nn.utils.prune`'s layout
 * merged (see prune-layout.ts): `{ format, tensors, masks }`. O(file size).
 */
import { closeSync, openSync, readSync } from "node:fs";
import { readTorchStateDict } from "./torch/state-dict";
import { looksLikeZip } from "./torch/zip";
import { readSafetensorsDecoded } from "./tensor";
import { mergePruneLayout } from "./prune-layout";
import type { PruneLayout } from "./prune-layout";

export interface WeightsFile extends PruneLayout {
  readonly format: "torch" | "safetensors";
}

function firstBytes(file: string, n: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (err) {
    throw new Error(`io/weights: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const b = new Uint8Array(n);
    return b.subarray(0, readSync(fd, b, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a `.pt`/`.pth` or `.safetensors` file of weights (and masks) with the prune layout merged.
 * @throws what readTorchStateDict, readSafetensors and mergePruneLayout throw, naming the file.
 * @example const { tensors, masks } = readWeightsFile("pruned.pt"); masks.get("conv1.weight");
 */
export function readWeightsFile(file: string): WeightsFile {
  const head = firstBytes(file, 4);
  if (looksLikeZip(head) || head[0] === 0x80) {
    return { format: "torch", ...mergePruneLayout(readTorchStateDict(file), `io/torch: ${file}`) };
  }
  return { format: "safetensors", ...mergePruneLayout(readSafetensorsDecoded(file), `io/safetensors: ${file}`) };
}
