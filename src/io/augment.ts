/**
 * In-memory image data sets and mini-batch assembly: per-channel normalisation, random crop with
 * zero padding (RandomCrop(size, padding=4) of the reference, applied to the unnormalised image, so
 * the padding is 0 before normalisation, as torchvision does) and horizontal flips. All randomness
 * comes from a seeded `Rng`, so batches are reproducible.
 *
 * Images are stored as bytes, NHWC, to keep 50–100 k images at 1 byte per value; batches are
 * float32 NHWC, ready for tf.tensor4d.
 */
import { Rng } from "../util/rng";

export interface ImageDataset {
  /** Human-readable origin ("fashion-mnist train", a file path, …) used in error messages. */
  readonly name: string;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classes: number;
  /** count·height·width·channels bytes, NHWC. */
  readonly images: Uint8Array;
  /** count labels in [0, classes). */
  readonly labels: Int32Array;
  /** Class names when the format provides them (Tiny-ImageNet wnids, CIFAR label names). */
  readonly classNames?: readonly string[];
}

export interface Normalization {
  /** Per-channel mean and std in [0, 1] pixel units. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export interface AugmentOptions {
  /** Zero padding of the random crop (the reference uses 4); 0 disables cropping. */
  cropPadding: number;
  /** Random horizontal flip with probability 1/2. */
  flip: boolean;
}

export const NO_AUGMENT: AugmentOptions = { cropPadding: 0, flip: false };
export const CIFAR_AUGMENT: AugmentOptions = { cropPadding: 4, flip: true };

/** Checks the internal consistency of a data set; throws naming the data set and the problem. */
export function checkDataset(d: ImageDataset): void {
  const per = d.height * d.width * d.channels;
  if (!(d.count >= 0 && d.height > 0 && d.width > 0 && d.channels > 0 && d.classes > 0)) {
    throw new Error(`io/augment: ${d.name}: bad dimensions count=${d.count} ${d.height}×${d.width}×${d.channels}, classes=${d.classes}`);
  }
  if (d.images.length !== d.count * per) throw new Error(`io/augment: ${d.name}: ${d.images.length} image bytes for ${d.count} images of ${per}`);
  if (d.labels.length !== d.count) throw new Error(`io/augment: ${d.name}: ${d.labels.length} labels for ${d.count} images`);
  for (let i = 0; i < d.count; i++) {
    const l = d.labels[i];
    if (!(l >= 0 && l < d.classes)) throw new Error(`io/augment: ${d.name}: label ${l} of image ${i} is outside [0, ${d.classes})`);
  }
}

/** Per-channel mean and standard deviation (population) of a data set's pixels, in [0, 1] units. */
export function channelStats(d: ImageDataset): Normalization {
  const C = d.channels;
  const sum = new Float64Array(C);
  const sq = new Float64Array(C);
  const img = d.images;
  for (let i = 0; i < img.length; i++) {
    const v = img[i];
    const c = i % C;
    sum[c] += v;
    sq[c] += v * v;
  }
  const n = img.length / C;
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < C; c++) {
    const m = sum[c] / n;
    mean.push(m / 255);
    std.push(Math.sqrt(Math.max(sq[c] / n - m * m, 0)) / 255);
  }
  return { mean, std };
}

/** A subset (by index) of a data set, e.g. a training subsample for quick runs. */
export function subsetDataset(d: ImageDataset, indices: ArrayLike<number>, name = `${d.name} subset`): ImageDataset {
  const per = d.height * d.width * d.channels;
  const images = new Uint8Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(i >= 0 && i < d.count && Number.isInteger(i))) throw new Error(`io/augment: ${d.name}: subset index ${i} outside [0, ${d.count})`);
    images.set(d.images.subarray(i * per, (i + 1) * per), k * per);
    labels[k] = d.labels[i];
  }
  return { ...d, name, count: indices.length, images, labels };
}

export interface Batch {
  /** n·H·W·C float32, NHWC, normalised. */
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly n: number;
}

/**
 * Assembles images `indices` into a normalised float batch, with optional random crop/flip drawn
 * from `rng` (needed when augmenting). O(n·H·W·C).
 */
export function makeBatch(d: ImageDataset, indices: ArrayLike<number>, norm: Normalization, augment: AugmentOptions = NO_AUGMENT, rng?: Rng): Batch {
  const H = d.height;
  const W = d.width;
  const C = d.channels;
  const per = H * W * C;
  if (norm.mean.length !== C || norm.std.length !== C) throw new Error(`io/augment: ${d.name}: normalisation has ${norm.mean.length}/${norm.std.length} channels, images have ${C}`);
  const augmenting = augment.cropPadding > 0 || augment.flip;
  if (augmenting && !rng) throw new Error("io/augment: augmentation needs an Rng");
  const n = indices.length;
  const x = new Float32Array(n * per);
  const y = new Int32Array(n);
  const scale = new Float32Array(C);
  const shift = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    scale[c] = 1 / (255 * norm.std[c]);
    shift[c] = -norm.mean[c] / norm.std[c];
  }
  const P = augment.cropPadding;
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    if (!(i >= 0 && i < d.count)) throw new Error(`io/augment: ${d.name}: image index ${i} outside [0, ${d.count})`);
    y[k] = d.labels[i];
    const src = i * per;
    const dst = k * per;
    let dy = 0;
    let dx = 0;
    let flip = false;
    if (augmenting && rng) {
      if (P > 0) {
        dy = rng.int(2 * P + 1) - P;
        dx = rng.int(2 * P + 1) - P;
      }
      if (augment.flip) flip = rng.next() < 0.5;
    }
    for (let r = 0; r < H; r++) {
      const sr = r + dy;
      for (let col = 0; col < W; col++) {
        const o = dst + (r * W + col) * C;
        let sc = col + dx;
        if (flip) sc = W - 1 - col + dx; // crop first, then flip the crop (torchvision order)
        // source pixel outside the image = the zero padding, normalised
        if (sr < 0 || sr >= H || sc < 0 || sc >= W) {
          for (let c = 0; c < C; c++) x[o + c] = shift[c];
        } else {
          const s = src + (sr * W + sc) * C;
          for (let c = 0; c < C; c++) x[o + c] = d.images[s + c] * scale[c] + shift[c];
        }
      }
    }
  }
  return { x, y, n };
}

/** Mini-batches of a seeded permutation of 0..count-1 (the last batch may be smaller unless dropLast). */
export function batchIndices(count: number, batchSize: number, rng: Rng | null, dropLast = false): Int32Array[] {
  if (!(batchSize >= 1 && Number.isInteger(batchSize))) throw new Error(`io/augment: batch size must be a positive integer, got ${batchSize}`);
  let order: Int32Array;
  if (rng) order = rng.permutation(count);
  else {
    order = new Int32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
  }
  const out: Int32Array[] = [];
  for (let s = 0; s < count; s += batchSize) {
    if (dropLast && s + batchSize > count) break;
    out.push(order.subarray(s, Math.min(s + batchSize, count)));
  }
  return out;
}
