/** Shared fixtures of the training tests: a tiny conv+BN net, learnable synthetic images, IDX files. */
import type { ArchSpec } from "../../src/nn/spec";
import type { ImageDataset } from "../../src/io/augment";
import { Rng } from "../../src/util/rng";

/** Tiny conv net with BN (exercises running statistics) on 8×8×1 images. */
export const tinySpec: ArchSpec = {
  name: "tiny", inputChannels: 1, inputSize: 8, classes: 4,
  layers: [
    { kind: "conv2d", name: "c1", inChannels: 1, outChannels: 4, kernel: 3, stride: 1, padding: 1, groups: 1, bias: true, role: "conv" },
    { kind: "batchnorm", name: "bn1", features: 4 }, { kind: "relu" },
    { kind: "maxpool", kernel: 2, stride: 2, padding: 0 },
    { kind: "flatten" },
    { kind: "linear", name: "fc", inFeatures: 64, outFeatures: 4, bias: true },
  ],
};

/** Class k = a bright 4×4 quadrant k plus noise: learnable in a few epochs. */
export function syntheticQuadrants(count: number, seed: number): ImageDataset {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * 64);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const k = rng.int(4);
    labels[i] = k;
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) {
      const inQ = (r < 4 ? 0 : 2) + (c < 4 ? 0 : 1) === k;
      images[i * 64 + r * 8 + c] = Math.max(0, Math.min(255, Math.round((inQ ? 150 : 60) + 40 * rng.normal())));
    }
  }
  return { name: `synthetic-${seed}`, count, height: 8, width: 8, channels: 1, classes: 4, images, labels };
}

/** An unsigned-byte IDX file (MNIST format) of the given dimensions. */
export function idxBytes(dims: number[], data: Uint8Array): Buffer {
  const h = Buffer.alloc(4 + 4 * dims.length);
  h[2] = 8;
  h[3] = dims.length;
  dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([h, Buffer.from(data)]);
}
