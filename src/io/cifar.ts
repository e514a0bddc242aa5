/**
 * CIFAR-10 and CIFAR-100, binary versions (https://www.cs.toronto.edu/~kriz/cifar.html):
 * - CIFAR-10: data_batch_1..5.bin and test_batch.bin, records of 1 label byte + 3072 pixel bytes;
 * - CIFAR-100: train.bin and test.bin, records of 1 coarse + 1 fine label byte + 3072 pixel bytes.
 * Pixels are stored as three 32×32 planes (R, G, B); we convert them to HWC. Label names come from
 * batches.meta.txt / fine_label_names.txt / coarse_label_names.txt when present. O(file size).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { checkDataset, type ImageDataset } from "./augment";

const PIXELS = 32 * 32 * 3;

function readFile(file: string): Uint8Array {
  try {
    const b = readFileSync(file);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (err) {
    throw new Error(`io/cifar: cannot read ${file}: ${(err as Error).message}`);
  }
}

/**
 * Parses CIFAR binary records. `labelBytes` 1 (CIFAR-10) or 2 (CIFAR-100: coarse, fine);
 * `labelIndex` picks which label byte is the class.
 */
export function parseCifarRecords(buf: Uint8Array, file: string, labelBytes: 1 | 2, labelIndex: 0 | 1, classes: number): { images: Uint8Array; labels: Int32Array } {
  const rec = labelBytes + PIXELS;
  if (buf.length === 0) throw new Error(`io/cifar: ${file}: empty file`);
  if (buf.length % rec !== 0) {
    throw new Error(`io/cifar: ${file}: ${buf.length} bytes is not a whole number of ${rec}-byte records (truncated, or not a CIFAR-${classes} binary file)`);
  }
  const n = buf.length / rec;
  const images = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * rec;
    for (let k = 0; k < labelBytes; k++) {
      const lim = labelBytes === 2 && k === 0 ? 20 : classes;
      if (buf[o + k] >= lim) {
        throw new Error(`io/cifar: ${file}: record ${i}: ${labelBytes === 2 ? (k === 0 ? "coarse" : "fine") + " " : ""}label ${buf[o + k]} is out of range [0, ${lim}) (not a CIFAR-${classes} file?)`);
      }
    }
    labels[i] = buf[o + labelIndex];
    const src = o + labelBytes;
    const dst = i * PIXELS;
    for (let p = 0; p < 1024; p++) {
      images[dst + 3 * p] = buf[src + p];
      images[dst + 3 * p + 1] = buf[src + 1024 + p];
      images[dst + 3 * p + 2] = buf[src + 2048 + p];
    }
  }
  return { images, labels };
}

function concat(parts: { images: Uint8Array; labels: Int32Array }[]): { images: Uint8Array; labels: Int32Array } {
  const n = parts.reduce((s, p) => s + p.labels.length, 0);
  const images = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  let k = 0;
  for (const p of parts) {
    images.set(p.images, k * PIXELS);
    labels.set(p.labels, k);
    k += p.labels.length;
  }
  return { images, labels };
}

function readNames(file: string, expected: number): string[] | undefined {
  if (!existsSync(file)) return undefined;
  const names = readFileSync(file, "utf8").split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length !== expected) throw new Error(`io/cifar: ${file}: ${names.length} label names, expected ${expected}`);
  return names;
}

function requireDir(dir: string, what: string, hint: string): void {
  if (!existsSync(dir)) throw new Error(`io/cifar: ${what} folder ${dir} does not exist (${hint})`);
}

/** CIFAR-10 from `dir` (the extracted cifar-10-batches-bin folder; default SNN_CIFAR10). */
export function loadCifar10(split: "train" | "test", dir = process.env.SNN_CIFAR10 ?? ""): ImageDataset {
  if (!dir) throw new Error("io/cifar: CIFAR-10 is not bundled: pass the cifar-10-batches-bin folder or set SNN_CIFAR10");
  requireDir(dir, "CIFAR-10", "expected the extracted cifar-10-binary.tar.gz");
  const files = split === "train" ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ["test_batch.bin"];
  const parts = files.map((f) => {
    const p = path.join(dir, f);
    if (!existsSync(p)) throw new Error(`io/cifar: CIFAR-10 ${split}: missing ${p}`);
    return parseCifarRecords(readFile(p), p, 1, 0, 10);
  });
  const { images, labels } = concat(parts);
  const classNames = readNames(path.join(dir, "batches.meta.txt"), 10);
  const d: ImageDataset = { name: `cifar10 ${split}`, count: labels.length, height: 32, width: 32, channels: 3, classes: 10, images, labels, ...(classNames ? { classNames } : {}) };
  checkDataset(d);
  return d;
}

/** CIFAR-100 from `dir` (the extracted cifar-100-binary folder; default SNN_CIFAR100), fine (100) or coarse (20) labels. */
export function loadCifar100(split: "train" | "test", dir = process.env.SNN_CIFAR100 ?? "", labels: "fine" | "coarse" = "fine"): ImageDataset {
  if (!dir) throw new Error("io/cifar: CIFAR-100 is not bundled: pass the cifar-100-binary folder or set SNN_CIFAR100");
  requireDir(dir, "CIFAR-100", "expected the extracted cifar-100-binary.tar.gz");
  const p = path.join(dir, split === "train" ? "train.bin" : "test.bin");
  if (!existsSync(p)) throw new Error(`io/cifar: CIFAR-100 ${split}: missing ${p}`);
  const classes = labels === "fine" ? 100 : 20;
  const r = parseCifarRecords(readFile(p), p, 2, labels === "fine" ? 1 : 0, 100);
  const classNames = readNames(path.join(dir, labels === "fine" ? "fine_label_names.txt" : "coarse_label_names.txt"), classes);
  const d: ImageDataset = { name: `cifar100 ${split}`, count: r.labels.length, height: 32, width: 32, channels: 3, classes, images: r.images, labels: r.labels, ...(classNames ? { classNames } : {}) };
  checkDataset(d);
  return d;
}
