/**
 * Builders of the architectures studied in the paper (reference-notes §4 "Architectures", §1.5 for
 * MobileNetV2) plus two small MNIST-style networks, as plain `ArchSpec` data.
 *
 * Parametric layer names equal the PyTorch state_dict module paths of the official models, checked
 * against the reference fixtures (data/reference/*.safetensors.gz):
 * - Conv-6: `convs1.{0,3,7,10,14,17}` (Sequential with BN/ReLU/MaxPool in between), `linear.{0,3,6}`;
 * - ResNet-20/32 (option B): `conv1`, `layer{1,2,3}.{i}.conv{1,2}`, `layer{2,3}.0.shortcut.0`, `linear`;
 * - WRN-28-2: `conv1`, `block{1,2,3}.layer.{i}.conv{1,2}`, `block{1,2,3}.layer.0.convShortcut`, `fc`;
 * - MobileNetV2 (kuangliu pytorch-cifar): `conv1`, `layers.{i}.conv{1,2,3}`, `layers.{i}.shortcut.0`, `conv2`, `linear`;
 * - LeNet-300-100: `fc1`, `fc2`, `fc3`; LeNet-5: `conv1`, `conv2`, `fc1`, `fc2`, `fc3`.
 * Building is O(number of layers).
 */
import type {
  ArchOptions,
  ArchSpec,
  BatchNormSpec,
  Conv2dSpec,
  LayerSpec,
  LinearSpec,
  ResidualSpec,
} from "./spec";
import { numel } from "./tensors";

interface Resolved {
  inputSize: number;
  inputChannels: number;
  classes: number;
  widthMultiplier: number;
}

function resolve(arch: string, o: ArchOptions | undefined, defaults: Resolved): Resolved {
  const r: Resolved = {
    inputSize: o?.inputSize ?? defaults.inputSize,
    inputChannels: o?.inputChannels ?? defaults.inputChannels,
    classes: o?.classes ?? defaults.classes,
    widthMultiplier: o?.widthMultiplier ?? defaults.widthMultiplier,
  };
  for (const [k, v] of Object.entries(r)) {
    const ok = k === "widthMultiplier" ? Number.isFinite(v) && v > 0 : Number.isInteger(v) && v >= 1;
    if (!ok) throw new Error(`nn/architectures: ${arch}: option ${k} must be ${k === "widthMultiplier" ? "a positive number" : "a positive integer"}, got ${v}`);
  }
  return r;
}

const CIFAR: Resolved = { inputSize: 32, inputChannels: 3, classes: 10, widthMultiplier: 1 };
const MNIST: Resolved = { inputSize: 28, inputChannels: 1, classes: 10, widthMultiplier: 1 };

function width(w: number, m: number): number {
  return Math.max(1, Math.round(w * m));
}

function conv(
  name: string,
  inChannels: number,
  outChannels: number,
  kernel: number,
  stride: number,
  padding: number,
  opts: { bias?: boolean; groups?: number; role?: "conv" | "residual" } = {},
): Conv2dSpec {
  return {
    kind: "conv2d",
    name,
    inChannels,
    outChannels,
    kernel,
    stride,
    padding,
    groups: opts.groups ?? 1,
    bias: opts.bias ?? false,
    role: opts.role ?? (/shortcut|downsample/i.test(name) ? "residual" : "conv"),
  };
}

function bn(name: string, features: number): BatchNormSpec {
  return { kind: "batchnorm", name, features };
}

function linear(name: string, inFeatures: number, outFeatures: number, bias = true): LinearSpec {
  return { kind: "linear", name, inFeatures, outFeatures, bias };
}

const relu: LayerSpec = { kind: "relu" };

function convOut(size: number, k: number, s: number, p: number): number {
  return Math.floor((size + 2 * p - k) / s) + 1;
}

function checkSize(arch: string, size: number, what: string): void {
  if (!(size >= 1)) throw new Error(`nn/architectures: ${arch}: input too small, ${what} would be ${size}`);
}

/** Conv-6 (Frankle & Carbin style, as in the official code): bias=True convs, BN, max-pools, 3 FC layers. */
export function conv6(options?: ArchOptions): ArchSpec {
  const o = resolve("conv6", options, CIFAR);
  const m = o.widthMultiplier;
  const w = [64, 64, 128, 128, 256, 256].map((x) => width(x, m));
  const fc = [256, 256].map((x) => width(x, m));
  const layers: LayerSpec[] = [];
  let c = o.inputChannels;
  let size = o.inputSize;
  // Sequential indices of the official `convs1`: conv, bn, relu per conv, a max-pool after each pair.
  let idx = 0;
  for (let i = 0; i < 6; i++) {
    layers.push(conv(`convs1.${idx}`, c, w[i], 3, 1, 1, { bias: true }), bn(`convs1.${idx + 1}`, w[i]), relu);
    idx += 3;
    c = w[i];
    if (i % 2 === 1) {
      layers.push({ kind: "maxpool", kernel: 2, stride: 2, padding: 0 });
      idx += 1;
      size = Math.floor(size / 2);
      checkSize("conv6", size, "a pooled feature map");
    }
  }
  layers.push({ kind: "flatten" });
  const flat = c * size * size;
  layers.push(linear("linear.0", flat, fc[0]), bn("linear.1", fc[0]), relu);
  layers.push(linear("linear.3", fc[0], fc[1]), bn("linear.4", fc[1]), relu);
  layers.push(linear("linear.6", fc[1], o.classes));
  return { name: "conv6", inputChannels: o.inputChannels, inputSize: o.inputSize, classes: o.classes, layers };
}

function resnetCifar(name: string, blocksPerStage: number, options?: ArchOptions): ArchSpec {
  const o = resolve(name, options, CIFAR);
  const m = o.widthMultiplier;
  const widths = [16, 32, 64].map((x) => width(x, m));
  const layers: LayerSpec[] = [conv("conv1", o.inputChannels, widths[0], 3, 1, 1), bn("bn1", widths[0]), relu];
  let inPlanes = widths[0];
  let size = o.inputSize;
  for (let s = 0; s < 3; s++) {
    for (let b = 0; b < blocksPerStage; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      const planes = widths[s];
      const p = `layer${s + 1}.${b}`;
      const shortcut: LayerSpec[] =
        stride !== 1 || inPlanes !== planes
          ? [conv(`${p}.shortcut.0`, inPlanes, planes, 1, stride, 0, { role: "residual" }), bn(`${p}.shortcut.1`, planes)]
          : [];
      const block: ResidualSpec = {
        kind: "residual",
        name: p,
        pre: [],
        body: [conv(`${p}.conv1`, inPlanes, planes, 3, stride, 1), bn(`${p}.bn1`, planes), relu, conv(`${p}.conv2`, planes, planes, 3, 1, 1), bn(`${p}.bn2`, planes)],
        shortcut,
        shortcutFromPre: false,
        post: [relu],
      };
      layers.push(block);
      inPlanes = planes;
      size = convOut(size, 3, stride, 1);
      checkSize(name, size, `the feature map of ${p}`);
    }
  }
  layers.push({ kind: "globalavgpool" }, { kind: "flatten" }, linear("linear", inPlanes, o.classes));
  return { name, inputChannels: o.inputChannels, inputSize: o.inputSize, classes: o.classes, layers };
}

/** ResNet-20 for CIFAR (Idelbayev layout, option-B 1×1 projection shortcuts, no conv biases). */
export function resnet20(options?: ArchOptions): ArchSpec {
  return resnetCifar("resnet20", 3, options);
}

/** ResNet-32 for CIFAR (5 blocks per stage). */
export function resnet32(options?: ArchOptions): ArchSpec {
  return resnetCifar("resnet32", 5, options);
}

/** Wide-ResNet-28-2 (pre-activation blocks, `convShortcut` where in ≠ out, dropout 0). */
export function wrn28_2(options?: ArchOptions): ArchSpec {
  const o = resolve("wrn28-2", options, CIFAR);
  const m = o.widthMultiplier;
  const widths = [16, 32, 64, 128].map((x) => width(x, m));
  const n = 4;
  const layers: LayerSpec[] = [conv("conv1", o.inputChannels, widths[0], 3, 1, 1)];
  let inPlanes = widths[0];
  let size = o.inputSize;
  for (let g = 0; g < 3; g++) {
    for (let b = 0; b < n; b++) {
      const stride = g > 0 && b === 0 ? 2 : 1;
      const out = widths[g + 1];
      const p = `block${g + 1}.layer.${b}`;
      const equalInOut = inPlanes === out;
      const block: ResidualSpec = {
        kind: "residual",
        name: p,
        pre: [bn(`${p}.bn1`, inPlanes), relu],
        body: [conv(`${p}.conv1`, inPlanes, out, 3, stride, 1), bn(`${p}.bn2`, out), relu, conv(`${p}.conv2`, out, out, 3, 1, 1)],
        shortcut: equalInOut ? [] : [conv(`${p}.convShortcut`, inPlanes, out, 1, stride, 0, { role: "residual" })],
        shortcutFromPre: !equalInOut,
        post: [],
      };
      layers.push(block);
      inPlanes = out;
      size = convOut(size, 3, stride, 1);
      checkSize("wrn28-2", size, `the feature map of ${p}`);
    }
  }
  layers.push(bn("bn1", inPlanes), relu, { kind: "globalavgpool" }, { kind: "flatten" }, linear("fc", inPlanes, o.classes));
  return { name: "wrn28-2", inputChannels: o.inputChannels, inputSize: o.inputSize, classes: o.classes, layers };
}

/**
 * MobileNetV2, CIFAR variant of kuangliu/pytorch-cifar (reference-notes §1.5 table): conv1 3→32
 * stride 1; inverted residual blocks (t, c, n, s) = (1,16,1,1), (6,24,2,1), (6,32,3,2), (6,64,4,2),
 * (6,96,3,1), (6,160,3,2), (6,320,1,1); 1×1 conv 320→1280; avg-pool 4 (global at 32×32); linear.
 * A block adds its shortcut only at stride 1 (1×1 conv when in ≠ out, identity otherwise); a stride-2
 * block has no residual at all, so it is emitted as plain layers.
 */
export function mobilenetv2(options?: ArchOptions): ArchSpec {
  const o = resolve("mobilenetv2", options, CIFAR);
  const m = o.widthMultiplier;
  const cfg: [number, number, number, number][] = [
    [1, 16, 1, 1],
    [6, 24, 2, 1],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  const c0 = width(32, m);
  const layers: LayerSpec[] = [conv("conv1", o.inputChannels, c0, 3, 1, 1), bn("bn1", c0), relu];
  let inPlanes = c0;
  let size = o.inputSize;
  let i = 0;
  for (const [t, cRaw, n, s0] of cfg) {
    const out = width(cRaw, m);
    for (let r = 0; r < n; r++) {
      const stride = r === 0 ? s0 : 1;
      const planes = t * inPlanes;
      const p = `layers.${i}`;
      const body: LayerSpec[] = [
        conv(`${p}.conv1`, inPlanes, planes, 1, 1, 0),
        bn(`${p}.bn1`, planes),
        relu,
        conv(`${p}.conv2`, planes, planes, 3, stride, 1, { groups: planes }),
        bn(`${p}.bn2`, planes),
        relu,
        conv(`${p}.conv3`, planes, out, 1, 1, 0),
        bn(`${p}.bn3`, out),
      ];
      if (stride === 1) {
        const shortcut: LayerSpec[] =
          inPlanes !== out ? [conv(`${p}.shortcut.0`, inPlanes, out, 1, 1, 0, { role: "residual" }), bn(`${p}.shortcut.1`, out)] : [];
        layers.push({ kind: "residual", name: p, pre: [], body, shortcut, shortcutFromPre: false, post: [] });
      } else {
        layers.push(...body);
      }
      inPlanes = out;
      size = convOut(size, 3, stride, 1);
      checkSize("mobilenetv2", size, `the feature map of ${p}`);
      i++;
    }
  }
  const last = width(1280, m);
  layers.push(conv("conv2", inPlanes, last, 1, 1, 0), bn("bn2", last), relu);
  // kuangliu: F.avg_pool2d(out, 4); at 32×32 input the map is 4×4, so this is a global average pool.
  if (size === 4) layers.push({ kind: "globalavgpool" });
  else if (size > 4) layers.push({ kind: "avgpool", kernel: 4, stride: 4, padding: 0 });
  else throw new Error(`nn/architectures: mobilenetv2: input ${o.inputSize} leaves a ${size}×${size} map, smaller than its 4×4 average pool`);
  const pooled = size === 4 ? 1 : Math.floor((size - 4) / 4) + 1;
  layers.push({ kind: "flatten" }, linear("linear", last * pooled * pooled, o.classes));
  return { name: "mobilenetv2", inputChannels: o.inputChannels, inputSize: o.inputSize, classes: o.classes, layers };
}

/** LeNet-300-100 (MLP on the flattened input): fc1 → 300, fc2 → 100, fc3 → classes, ReLU between. */
export function lenet300_100(options?: ArchOptions): ArchSpec {
  const o = resolve("lenet300-100", options, MNIST);
  const h1 = width(300, o.widthMultiplier);
  const h2 = width(100, o.widthMultiplier);
  const inF = o.inputChannels * o.inputSize * o.inputSize;
  return {
    name: "lenet300-100",
    inputChannels: o.inputChannels,
    inputSize: o.inputSize,
    classes: o.classes,
    layers: [{ kind: "flatten" }, linear("fc1", inF, h1), relu, linear("fc2", h1, h2), relu, linear("fc3", h2, o.classes)],
  };
}

/** LeNet-5: conv 5×5 → 6, max-pool 2, conv 5×5 → 16, max-pool 2, fc 120, fc 84, fc classes (no padding, biases). */
export function lenet5(options?: ArchOptions): ArchSpec {
  const o = resolve("lenet5", options, MNIST);
  const c1 = width(6, o.widthMultiplier);
  const c2 = width(16, o.widthMultiplier);
  const f1 = width(120, o.widthMultiplier);
  const f2 = width(84, o.widthMultiplier);
  let size = convOut(o.inputSize, 5, 1, 0);
  checkSize("lenet5", size, "the conv1 output");
  size = Math.floor(size / 2);
  size = convOut(size, 5, 1, 0);
  checkSize("lenet5", size, "the conv2 output");
  size = Math.floor(size / 2);
  checkSize("lenet5", size, "the pooled conv2 output");
  return {
    name: "lenet5",
    inputChannels: o.inputChannels,
    inputSize: o.inputSize,
    classes: o.classes,
    layers: [
      conv("conv1", o.inputChannels, c1, 5, 1, 0, { bias: true }),
      relu,
      { kind: "maxpool", kernel: 2, stride: 2, padding: 0 },
      conv("conv2", c1, c2, 5, 1, 0, { bias: true }),
      relu,
      { kind: "maxpool", kernel: 2, stride: 2, padding: 0 },
      { kind: "flatten" },
      linear("fc1", c2 * size * size, f1),
      relu,
      linear("fc2", f1, f2),
      relu,
      linear("fc3", f2, o.classes),
    ],
  };
}

/** Canonical architecture ids, in the order the paper lists them, then the small MNIST networks. */
export const ARCHITECTURE_NAMES = ["conv6", "resnet20", "resnet32", "wrn28-2", "mobilenetv2", "lenet300-100", "lenet5"] as const;
export type ArchitectureName = (typeof ARCHITECTURE_NAMES)[number];

const BUILDERS: Record<ArchitectureName, (o?: ArchOptions) => ArchSpec> = {
  conv6,
  resnet20,
  resnet32,
  "wrn28-2": wrn28_2,
  mobilenetv2,
  "lenet300-100": lenet300_100,
  lenet5,
};

/**
 * Canonical id of an architecture name, accepting the spellings of the paper's CSVs and the
 * fixtures' metadata ("CONV-6", "Resnet-20", "Wide-Resnet-28-2", "wrn-28-2", "lenet_300_100", …).
 */
export function canonicalArchitectureName(name: string): ArchitectureName {
  const key = name.toLowerCase().replace(/[-_ .]/g, "");
  const table: Record<string, ArchitectureName> = {
    conv6: "conv6",
    resnet20: "resnet20",
    resnet32: "resnet32",
    wrn282: "wrn28-2",
    wideresnet282: "wrn28-2",
    mobilenetv2: "mobilenetv2",
    lenet300100: "lenet300-100",
    lenet5: "lenet5",
  };
  const c = table[key];
  if (!c) throw new Error(`nn/architectures: unknown architecture '${name}' (known: ${ARCHITECTURE_NAMES.join(", ")})`);
  return c;
}

/** Builds an architecture by (any accepted spelling of) its name. */
export function buildArchitecture(name: string, options?: ArchOptions): ArchSpec {
  return BUILDERS[canonicalArchitectureName(name)](options);
}

/** One prunable weight tensor: state_dict name, PyTorch shape, and the role the MGE gives it (§1). */
export interface PrunableWeight {
  readonly name: string;
  readonly layer: string;
  readonly shape: readonly number[];
  readonly role: "conv" | "residual" | "linear";
  readonly numel: number;
  /** Shape of the layer's bias ([out]) when it has one. */
  readonly biasShape?: readonly number[];
}

/** Visits every leaf layer in state_dict order (residual blocks: pre, body, shortcut, post). */
export function forEachLeafLayer(layers: readonly LayerSpec[], visit: (l: Exclude<LayerSpec, ResidualSpec>) => void): void {
  for (const l of layers) {
    if (l.kind === "residual") {
      forEachLeafLayer(l.pre, visit);
      forEachLeafLayer(l.body, visit);
      forEachLeafLayer(l.shortcut, visit);
      forEachLeafLayer(l.post, visit);
    } else visit(l);
  }
}

/** The conv and linear weights of a spec, in layer (= state_dict) order. O(layers). */
export function prunableWeights(spec: ArchSpec): PrunableWeight[] {
  const out: PrunableWeight[] = [];
  forEachLeafLayer(spec.layers, (l) => {
    if (l.kind === "conv2d") {
      if (l.inChannels % l.groups !== 0) throw new Error(`nn/architectures: ${spec.name}: layer ${l.name} has ${l.inChannels} input channels, not divisible by groups=${l.groups}`);
      const shape = [l.outChannels, l.inChannels / l.groups, l.kernel, l.kernel];
      out.push({ name: `${l.name}.weight`, layer: l.name, shape, role: l.role, numel: numel(shape), biasShape: l.bias ? [l.outChannels] : undefined });
    } else if (l.kind === "linear") {
      const shape = [l.outFeatures, l.inFeatures];
      out.push({ name: `${l.name}.weight`, layer: l.name, shape, role: "linear", numel: numel(shape), biasShape: l.bias ? [l.outFeatures] : undefined });
    }
  });
  return out;
}
