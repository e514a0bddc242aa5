/**
 * Tiny-ImageNet-200 from its folder layout (tiny-imagenet-200/):
 *   wnids.txt; train/<wnid>/images/*.JPEG; val/images/*.JPEG + val/val_annotations.txt
 *   (tab-separated: file name, wnid, bounding box).
 * Classes are the wnids in sorted order (what torchvision's ImageFolder assigns). Images are decoded
 * with jpeg-js (grayscale JPEGs become RGB, as PIL's convert('RGB')) and resized to `size`×`size`
 * (default 32, reference-notes §4) with PIL's BOX filter: a horizontal then a vertical pass, each
 * rounded to bytes, as Pillow's two-pass resampler does.
 * Cost: O(total pixels) plus JPEG decoding, ~1–3 ms per 64×64 image.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { decode } from "jpeg-js";
import { checkDataset, type ImageDataset } from "./augment";
import type { Progress } from "../util/progress";
import { silentProgress } from "../util/progress";

export interface TinyImageNetOptions {
  /** Output side (default 32). */
  size?: number;
  /** At most this many training images per class (quick runs); default all 500. */
  limitPerClass?: number;
  progress?: Progress;
}

/**
 * Coefficients of one pass of Pillow's BOX filter (Resample.c precompute_coeffs with box_filter,
 * support 0.5): output i covers the input pixels whose centres fall in its box, equally weighted.
 */
function boxWeights(inSize: number, outSize: number): { start: Int32Array; count: Int32Array; w: Float64Array; maxK: number } {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 0.5 * filterscale;
  const maxK = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const w = new Float64Array(outSize * maxK);
  const ss = 1 / filterscale;
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    start[i] = xmin;
    count[i] = xmax;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const t = (x + xmin - center + 0.5) * ss;
      const v = t > -0.5 && t <= 0.5 ? 1 : 0;
      w[i * maxK + x] = v;
      total += v;
    }
    if (total !== 0) for (let x = 0; x < xmax; x++) w[i * maxK + x] /= total;
  }
  return { start, count, w, maxK };
}

function clampByte(v: number): number {
  const r = Math.floor(v + 0.5);
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

/** Resizes an HWC byte image with Pillow's BOX filter (horizontal pass, then vertical). */
export function resizeBox(src: Uint8Array, h: number, w: number, c: number, outH: number, outW: number): Uint8Array {
  if (src.length !== h * w * c) throw new Error(`io/tinyimagenet: resize: ${src.length} bytes for ${h}×${w}×${c}`);
  let cur = src;
  let cw = w;
  if (outW !== w) {
    const bw = boxWeights(w, outW);
    const tmp = new Uint8Array(h * outW * c);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < outW; x++) {
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let k = 0; k < bw.count[x]; k++) s += bw.w[x * bw.maxK + k] * cur[(y * w + bw.start[x] + k) * c + ch];
          tmp[(y * outW + x) * c + ch] = clampByte(s);
        }
      }
    }
    cur = tmp;
    cw = outW;
  }
  if (outH !== h) {
    const bh = boxWeights(h, outH);
    const out = new Uint8Array(outH * cw * c);
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < cw; x++) {
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let k = 0; k < bh.count[y]; k++) s += bh.w[y * bh.maxK + k] * cur[((bh.start[y] + k) * cw + x) * c + ch];
          out[(y * cw + x) * c + ch] = clampByte(s);
        }
      }
    }
    cur = out;
  }
  return cur === src ? Uint8Array.from(src) : cur;
}

/** Decodes a JPEG to RGB bytes (HWC); errors name the file. */
export function decodeJpegRgb(file: string): { data: Uint8Array; height: number; width: number } {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new Error(`io/tinyimagenet: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const img = decode(buf, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 256 });
    const data = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
    if (data.length !== img.width * img.height * 3) throw new Error(`decoded ${data.length} bytes for ${img.width}×${img.height} RGB`);
    return { data, height: img.height, width: img.width };
  } catch (err) {
    throw new Error(`io/tinyimagenet: ${file}: not a decodable JPEG (${(err as Error).message})`);
  }
}

function readWnids(root: string): string[] {
  const f = path.join(root, "wnids.txt");
  if (existsSync(f)) {
    const ids = readFileSync(f, "utf8").split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
    if (ids.length === 0) throw new Error(`io/tinyimagenet: ${f} lists no classes`);
    if (new Set(ids).size !== ids.length) throw new Error(`io/tinyimagenet: ${f} lists a class twice`);
    return ids.sort();
  }
  const trainDir = path.join(root, "train");
  if (!existsSync(trainDir)) throw new Error(`io/tinyimagenet: ${root} has neither wnids.txt nor train/`);
  return readdirSync(trainDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

function isJpeg(name: string): boolean {
  return /\.jpe?g$/i.test(name);
}

/**
 * Loads the train or val split of Tiny-ImageNet from `root` (default SNN_TINYIMAGENET), resized to
 * `size`×`size`×3.
 */
export function loadTinyImageNet(split: "train" | "val", root = process.env.SNN_TINYIMAGENET ?? "", options: TinyImageNetOptions = {}): ImageDataset {
  if (!root) throw new Error("io/tinyimagenet: Tiny-ImageNet is not bundled: pass the tiny-imagenet-200 folder or set SNN_TINYIMAGENET");
  if (!existsSync(root)) throw new Error(`io/tinyimagenet: folder ${root} does not exist`);
  const size = options.size ?? 32;
  if (!(Number.isInteger(size) && size >= 1)) throw new Error(`io/tinyimagenet: size must be a positive integer, got ${size}`);
  const progress = options.progress ?? silentProgress;
  const wnids = readWnids(root);
  const index = new Map(wnids.map((w, i) => [w, i]));
  const items: { file: string; label: number }[] = [];
  if (split === "train") {
    for (const w of wnids) {
      const dir = path.join(root, "train", w, "images");
      if (!existsSync(dir)) throw new Error(`io/tinyimagenet: class ${w}: missing folder ${dir}`);
      let files = readdirSync(dir).filter(isJpeg).sort();
      if (files.length === 0) throw new Error(`io/tinyimagenet: class ${w}: no JPEG files in ${dir}`);
      if (options.limitPerClass !== undefined) files = files.slice(0, options.limitPerClass);
      for (const f of files) items.push({ file: path.join(dir, f), label: index.get(w) as number });
    }
  } else if (split === "val") {
    const ann = path.join(root, "val", "val_annotations.txt");
    if (!existsSync(ann)) throw new Error(`io/tinyimagenet: missing ${ann}`);
    const lines = readFileSync(ann, "utf8").split(/\r?\n/);
    lines.forEach((line, i) => {
      if (line.trim() === "") return;
      const cols = line.split("\t");
      if (cols.length < 2) throw new Error(`io/tinyimagenet: ${ann}:${i + 1}: expected '<file>\\t<wnid>\\t…', got '${line.slice(0, 80)}'`);
      const label = index.get(cols[1].trim());
      if (label === undefined) throw new Error(`io/tinyimagenet: ${ann}:${i + 1}: class '${cols[1]}' is not in wnids (${wnids.length} classes)`);
      items.push({ file: path.join(root, "val", "images", cols[0].trim()), label });
    });
    if (items.length === 0) throw new Error(`io/tinyimagenet: ${ann} lists no images`);
  } else {
    throw new Error(`io/tinyimagenet: split must be 'train' or 'val', got '${String(split)}'`);
  }
  const per = size * size * 3;
  const images = new Uint8Array(items.length * per);
  const labels = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const { file, label } = items[i];
    if (!existsSync(file)) throw new Error(`io/tinyimagenet: missing image ${file}`);
    const img = decodeJpegRgb(file);
    const r = img.height === size && img.width === size ? img.data : resizeBox(img.data, img.height, img.width, 3, size, size);
    images.set(r, i * per);
    labels[i] = label;
    if ((i & 255) === 0 || i === items.length - 1) progress.update(i + 1, items.length, `tiny-imagenet ${split}`);
  }
  progress.finish(`${items.length} images`);
  const d: ImageDataset = { name: `tinyimagenet ${split}`, count: items.length, height: size, width: size, channels: 3, classes: wnids.length, images, labels, classNames: wnids };
  checkDataset(d);
  return d;
}
