/**
 * IDX files (the MNIST / Fashion-MNIST format: 4-byte magic 0x0000 <type> <ndim>, ndim big-endian
 * uint32 sizes, then the data), raw or gzip-compressed, and the data sets built from them.
 *
 * Fashion-MNIST comes from Debian's dataset-fashion-mnist package
 * (/usr/share/datasets/fashion-mnist, override with SNN_FASHION_MNIST); MNIST from files the user
 * provides (train-images-idx3-ubyte[.gz] etc., override with SNN_MNIST). Reading is O(file size).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { checkDataset, type ImageDataset } from "./augment";

export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = { 0x08: "ubyte", 0x09: "byte", 0x0b: "short", 0x0c: "int", 0x0d: "float", 0x0e: "double" };

/** Parses an IDX buffer (gzip detected by its magic bytes). Only unsigned-byte data is supported. */
export function parseIdx(buf: Uint8Array, file = "<buffer>"): IdxArray {
  let b = buf;
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = gunzipSync(b);
    } catch (err) {
      throw new Error(`io/idx: ${file}: corrupt or truncated gzip data (${(err as Error).message})`);
    }
  }
  if (b.length < 4) throw new Error(`io/idx: ${file}: ${b.length} bytes, too short for an IDX header`);
  if (b[0] !== 0 || b[1] !== 0) {
    throw new Error(`io/idx: ${file}: wrong magic ${hex(b, 4)} (an IDX file starts with 00 00 <type> <ndim>)`);
  }
  const type = b[2];
  const ndim = b[3];
  if (!(type in TYPE_NAMES)) throw new Error(`io/idx: ${file}: unknown data type 0x${type.toString(16)} in the magic`);
  if (type !== 0x08) throw new Error(`io/idx: ${file}: data type ${TYPE_NAMES[type]} is not supported (only unsigned bytes)`);
  if (ndim < 1) throw new Error(`io/idx: ${file}: zero dimensions`);
  const headerLen = 4 + 4 * ndim;
  if (b.length < headerLen) throw new Error(`io/idx: ${file}: truncated header (${b.length} bytes, ${ndim} dimensions need ${headerLen})`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dims: number[] = [];
  let n = 1;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    n *= d;
  }
  const have = b.length - headerLen;
  if (have < n) throw new Error(`io/idx: ${file}: truncated data: dimensions [${dims.join(", ")}] need ${n} bytes, the file has ${have}`);
  if (have > n) throw new Error(`io/idx: ${file}: ${have - n} unexpected trailing bytes after ${n} data bytes (dimensions [${dims.join(", ")}])`);
  return { dims, data: b.subarray(headerLen, headerLen + n) };
}

function hex(b: Uint8Array, k: number): string {
  return Array.from(b.subarray(0, k), (v) => v.toString(16).padStart(2, "0")).join(" ");
}

export function readIdx(file: string): IdxArray {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new Error(`io/idx: cannot read ${file}: ${(err as Error).message}`);
  }
  return parseIdx(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), file);
}

/** Images [N, H, W] (or [N, H, W, C]) and labels [N] as an `ImageDataset`. */
export function loadIdxDataset(imagesFile: string, labelsFile: string, options: { classes?: number; name?: string } = {}): ImageDataset {
  const classes = options.classes ?? 10;
  const im = readIdx(imagesFile);
  const lb = readIdx(labelsFile);
  if (im.dims.length !== 3 && im.dims.length !== 4) throw new Error(`io/idx: ${imagesFile}: images must have 3 or 4 dimensions, got [${im.dims.join(", ")}]`);
  if (lb.dims.length !== 1) throw new Error(`io/idx: ${labelsFile}: labels must have 1 dimension, got [${lb.dims.join(", ")}]`);
  if (lb.dims[0] !== im.dims[0]) throw new Error(`io/idx: ${labelsFile} has ${lb.dims[0]} labels but ${imagesFile} has ${im.dims[0]} images`);
  const labels = new Int32Array(lb.dims[0]);
  for (let i = 0; i < labels.length; i++) {
    const l = lb.data[i];
    if (l >= classes) throw new Error(`io/idx: ${labelsFile}: label ${l} of item ${i} is out of range [0, ${classes})`);
    labels[i] = l;
  }
  const d: ImageDataset = {
    name: options.name ?? imagesFile,
    count: im.dims[0],
    height: im.dims[1],
    width: im.dims[2],
    channels: im.dims.length === 4 ? im.dims[3] : 1,
    classes,
    images: Uint8Array.from(im.data),
    labels,
  };
  checkDataset(d);
  return d;
}

export const FASHION_MNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"] as const;

/** Debian's dataset-fashion-mnist package folder. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** Folder of the Fashion-MNIST IDX files (SNN_FASHION_MNIST, else Debian's package folder). */
export function fashionMnistDir(): string {
  return process.env.SNN_FASHION_MNIST ?? FASHION_MNIST_DIR;
}

function findIdx(dir: string, base: string, what: string): string {
  for (const f of [base, `${base}.gz`]) {
    const p = path.join(dir, f);
    if (existsSync(p)) return p;
  }
  throw new Error(`io/idx: ${what}: neither ${base} nor ${base}.gz in ${dir}`);
}

function loadMnistLike(dir: string, split: "train" | "test", what: string, classNames?: readonly string[]): ImageDataset {
  if (split !== "train" && split !== "test") throw new Error(`io/idx: split must be 'train' or 'test', got '${String(split)}'`);
  const prefix = split === "train" ? "train" : "t10k";
  const d = loadIdxDataset(findIdx(dir, `${prefix}-images-idx3-ubyte`, what), findIdx(dir, `${prefix}-labels-idx1-ubyte`, what), { classes: 10, name: `${what} ${split}` });
  return classNames ? { ...d, classNames } : d;
}

/**
 * Fashion-MNIST (60 k train / 10 k test, 28×28×1). Without the files, the error says how to install
 * them (`apt-get install dataset-fashion-mnist`, or SNN_FASHION_MNIST=<folder>).
 */
export function loadFashionMnist(split: "train" | "test", dir = fashionMnistDir()): ImageDataset {
  if (!existsSync(dir)) {
    throw new Error(`io/idx: Fashion-MNIST folder ${dir} does not exist: install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or set SNN_FASHION_MNIST to a folder with the IDX files`);
  }
  return loadMnistLike(dir, split, "fashion-mnist", FASHION_MNIST_CLASSES);
}

/** MNIST from user-provided IDX files in `dir` (default SNN_MNIST). */
export function loadMnist(split: "train" | "test", dir = process.env.SNN_MNIST ?? ""): ImageDataset {
  if (!dir) throw new Error("io/idx: MNIST is not bundled: pass the folder holding train-images-idx3-ubyte(.gz) etc. or set SNN_MNIST");
  if (!existsSync(dir)) throw new Error(`io/idx: MNIST folder ${dir} does not exist`);
  return loadMnistLike(dir, split, "mnist");
}
