import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../util/rng";
import { channelStats, makeBatch, NO_AUGMENT, type AugmentOptions, type ImageDataset, type Normalization } from "../io/augment";

/**
 * What the data-driven pruners (SNIP, GraSP, ProsPr) need from a data set: random training batches
 * and, for GraSP, a fixed number of examples per class. Inputs are NHWC float32, targets one-hot.
 * The pruner disposes the tensors it receives.
 */
export interface PruneBatch {
  readonly x: tf.Tensor4D;
  readonly y: tf.Tensor2D;
}

export interface PruneData {
  readonly classes: number;
  /** `size` training examples drawn at random (without replacement within the batch). */
  batch(size: number, rng: Rng): PruneBatch;
  /** `n` examples of every class, class-major (all of class 0, then class 1, …), as GraSP_fetch_data builds them. */
  perClass(n: number, rng: Rng): PruneBatch;
}

/**
 * The sampling every PruneData shares, so that array- and dataset-backed data draw the same
 * examples for the same seed: `batch` draws `size` distinct indices uniformly (rejection on
 * repeats), `perClass` `n` distinct indices of each class in class order (GraSP_fetch_data);
 * `gather` turns the indices into tensors (and may use the Rng after them, e.g. to augment).
 * O(count) to index the classes once; O(size) per batch.
 */
function samplingPruneData(where: string, labels: ArrayLike<number>, classes: number, gather: (idx: ArrayLike<number>, rng: Rng) => PruneBatch): PruneData {
  const n = labels.length;
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (!(Number.isInteger(c) && c >= 0 && c < classes)) throw new Error(`${where}: label ${i} is ${c}, outside [0, ${classes})`);
    byClass[c].push(i);
  }
  return {
    classes,
    batch(size: number, rng: Rng): PruneBatch {
      if (!(Number.isInteger(size) && size > 0 && size <= n)) throw new Error(`${where}: batch size ${size} not in [1, ${n}]`);
      const pick = new Int32Array(size);
      const seen = new Set<number>();
      for (let j = 0; j < size; ) {
        const i = rng.int(n);
        if (seen.has(i)) continue;
        seen.add(i);
        pick[j++] = i;
      }
      return gather(pick, rng);
    },
    perClass(k: number, rng: Rng): PruneBatch {
      const pick: number[] = [];
      for (let c = 0; c < classes; c++) {
        const pool = byClass[c];
        if (pool.length < k) throw new Error(`${where}: class ${c} has ${pool.length} examples, ${k} needed`);
        const chosen = new Set<number>();
        while (chosen.size < k) chosen.add(pool[rng.int(pool.length)]);
        pick.push(...chosen);
      }
      return gather(pick, rng);
    },
  };
}

/** NHWC images of shape [H, W, C] each and their labels as a PruneBatch (targets one-hot over K classes). */
function pruneBatch(x: Float32Array, labels: ArrayLike<number>, shape: readonly [number, number, number], K: number): PruneBatch {
  const n = labels.length;
  const y = new Float32Array(n * K);
  for (let j = 0; j < n; j++) y[j * K + labels[j]] = 1;
  return { x: tf.tensor4d(x, [n, ...shape]), y: tf.tensor2d(y, [n, K]) };
}

/**
 * A PruneData over an in-memory image data set (src/io: Fashion-MNIST, CIFAR, …), normalised as the
 * training loop normalises it (default: the set's per-channel statistics) so that the scores see the
 * inputs training will see. The reference draws its pruning batches from the augmented training
 * loader; pass `augment` (e.g. CIFAR_AUGMENT) for that.
 * @example prune("snip", model, 0.9, { seed: 0, data: datasetPruneData(loadDataset("cifar10", "train")) })
 * @throws on a label count other than the image count or a label outside [0, classes); later, on a
 *   batch size outside [1, count] or a class with fewer images than GraSP asks for.
 */
export function datasetPruneData(ds: ImageDataset, options: { normalization?: Normalization; augment?: AugmentOptions } = {}): PruneData {
  const norm = options.normalization ?? channelStats(ds);
  const augment = options.augment ?? NO_AUGMENT;
  const K = ds.classes;
  // The sampler draws from the labels; a set whose labels outnumber its images would draw past them.
  if (ds.labels.length !== ds.count) throw new Error(`pruning/data: ${ds.name}: ${ds.labels.length} labels for ${ds.count} images`);
  return samplingPruneData(`pruning/data: ${ds.name}`, ds.labels, K, (idx, rng) => {
    const b = makeBatch(ds, idx, norm, augment, rng);
    return pruneBatch(b.x, b.y, [ds.height, ds.width, ds.channels], K);
  });
}

export interface ArrayDataOptions {
  /** Per-image shape [H, W, C]. */
  shape: readonly [number, number, number];
  classes: number;
  /** Applied to every pixel value: (v · scale − mean) / std. Defaults: scale 1/255 for Uint8 images, 1 otherwise; mean 0; std 1. */
  scale?: number;
  mean?: number;
  std?: number;
}

/**
 * A PruneData over host arrays, images [N, H, W, C] flattened (Uint8 or Float32, e.g. real-valued
 * inputs that an ImageDataset's bytes cannot hold) and integer labels; sampled exactly as
 * `datasetPruneData` samples. Not in the public API: the tests' finite-difference checks use it.
 * @throws on a pixel count that is not N·H·W·C, or a label outside [0, classes).
 */
export function arrayPruneData(images: Uint8Array | Float32Array, labels: ArrayLike<number>, options: ArrayDataOptions): PruneData {
  const where = "pruning/data";
  const [H, W, C] = options.shape;
  const per = H * W * C;
  const n = labels.length;
  if (!(per > 0) || images.length !== n * per) {
    throw new Error(`${where}: ${images.length} pixel values for ${n} labels of shape [${H}, ${W}, ${C}]`);
  }
  const K = options.classes;
  const scale = options.scale ?? (images instanceof Uint8Array ? 1 / 255 : 1);
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  return samplingPruneData(where, labels, K, (idx) => {
    const m = idx.length;
    const x = new Float32Array(m * per);
    const y = new Int32Array(m);
    for (let j = 0; j < m; j++) {
      const src = idx[j] * per;
      const dst = j * per;
      for (let p = 0; p < per; p++) x[dst + p] = (images[src + p] * scale - mean) / std;
      y[j] = labels[idx[j]];
    }
    return pruneBatch(x, y, [H, W, C], K);
  });
}

/**
 * A batch cut into consecutive row chunks of the given sizes (which must add up to the batch).
 * One chunk returns the batch itself; otherwise the chunks are new tensors the caller disposes.
 */
export function splitBatch(b: PruneBatch, sizes: readonly number[]): PruneBatch[] {
  const n = b.x.shape[0];
  let total = 0;
  for (const s of sizes) {
    if (!(Number.isInteger(s) && s > 0)) throw new Error(`pruning/data: chunk sizes must be positive integers, got [${sizes.join(", ")}]`);
    total += s;
  }
  if (total !== n || b.y.shape[0] !== n) throw new Error(`pruning/data: chunk sizes [${sizes.join(", ")}] do not add up to the batch of ${n} (targets: ${b.y.shape[0]})`);
  if (sizes.length === 1) return [b];
  const out: PruneBatch[] = [];
  let a = 0;
  for (const s of sizes) {
    out.push({ x: tf.slice(b.x, [a, 0, 0, 0], [s, -1, -1, -1]), y: tf.slice(b.y, [a, 0], [s, -1]) });
    a += s;
  }
  return out;
}
