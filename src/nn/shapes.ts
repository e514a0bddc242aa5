/**
 * Shape inference for an ArchSpec: the feature-map shape entering and leaving every leaf layer, with
 * the PyTorch size rules (conv/pool output ⌊(I + 2p − k)/s⌋ + 1; reference-notes §1.3). Validates the
 * spec on the way (channel counts, linear in_features after flatten, residual branch shapes), with
 * errors naming the layer. O(number of layers).
 */
import type { ArchSpec, LayerSpec, ResidualSpec } from "./spec";

/** [C, H, W] for feature maps, [F] after flatten. */
export type FeatureShape = readonly number[];

export interface LayerShape {
  /** Module path for named layers, otherwise `<kind>@<index>` inside its parent. */
  readonly name: string;
  readonly kind: LayerSpec["kind"];
  /** Name of the residual block holding the layer, "" at top level. */
  readonly block: string;
  /** "pre" | "body" | "shortcut" | "post" inside a block, "" at top level. */
  readonly branch: string;
  readonly input: FeatureShape;
  readonly output: FeatureShape;
}

/** Output side of a convolution or pooling window, PyTorch rule (floor mode). */
export function convOutputSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

function fmt(s: FeatureShape): string {
  return `[${s.join(", ")}]`;
}

function leafName(l: LayerSpec, index: number): string {
  return "name" in l && typeof l.name === "string" ? l.name : `${l.kind}@${index}`;
}

/** Shapes of every leaf layer, in execution order (a block: pre, body, shortcut, post). Throws on inconsistencies. */
export function inferShapes(spec: ArchSpec): LayerShape[] {
  const out: LayerShape[] = [];
  const where = `nn/shapes: ${spec.name}`;
  const run = (layers: readonly LayerSpec[], input: FeatureShape, block: string, branch: string): FeatureShape => {
    let x = input;
    layers.forEach((l, i) => {
      if (l.kind === "residual") {
        x = runBlock(l, x);
        return;
      }
      const name = leafName(l, i);
      const y = step(l, x, name);
      out.push({ name, kind: l.kind, block, branch, input: x, output: y });
      x = y;
    });
    return x;
  };
  const runBlock = (b: ResidualSpec, input: FeatureShape): FeatureShape => {
    const pre = run(b.pre, input, b.name, "pre");
    const body = run(b.body, pre, b.name, "body");
    const sc = run(b.shortcut, b.shortcutFromPre ? pre : input, b.name, "shortcut");
    if (sc.join(",") !== body.join(",")) {
      throw new Error(`${where}: residual block ${b.name}: body gives ${fmt(body)} but the shortcut gives ${fmt(sc)}`);
    }
    return run(b.post, body, b.name, "post");
  };
  const step = (l: Exclude<LayerSpec, ResidualSpec>, x: FeatureShape, name: string): FeatureShape => {
    switch (l.kind) {
      case "conv2d": {
        if (x.length !== 3) throw new Error(`${where}: conv ${name} needs a [C, H, W] input, got ${fmt(x)}`);
        if (x[0] !== l.inChannels) throw new Error(`${where}: conv ${name} expects ${l.inChannels} input channels, got ${x[0]}`);
        if (l.groups !== 1 && l.groups !== l.inChannels) throw new Error(`${where}: conv ${name} has groups=${l.groups}; only 1 and depthwise (= in channels) are supported`);
        if (l.outChannels % l.groups !== 0) throw new Error(`${where}: conv ${name}: ${l.outChannels} output channels not divisible by groups=${l.groups}`);
        const h = convOutputSize(x[1], l.kernel, l.stride, l.padding);
        const w = convOutputSize(x[2], l.kernel, l.stride, l.padding);
        if (h < 1 || w < 1) throw new Error(`${where}: conv ${name} on a ${x[1]}×${x[2]} map gives an empty output`);
        return [l.outChannels, h, w];
      }
      case "maxpool":
      case "avgpool": {
        if (x.length !== 3) throw new Error(`${where}: ${l.kind} ${name} needs a [C, H, W] input, got ${fmt(x)}`);
        const h = convOutputSize(x[1], l.kernel, l.stride, l.padding);
        const w = convOutputSize(x[2], l.kernel, l.stride, l.padding);
        if (h < 1 || w < 1) throw new Error(`${where}: ${l.kind} ${name} on a ${x[1]}×${x[2]} map gives an empty output`);
        return [x[0], h, w];
      }
      case "globalavgpool":
        if (x.length !== 3) throw new Error(`${where}: global average pool needs a [C, H, W] input, got ${fmt(x)}`);
        return [x[0], 1, 1];
      case "flatten":
        return [x.reduce((a, b) => a * b, 1)];
      case "linear": {
        if (x.length !== 1) throw new Error(`${where}: linear ${name} needs a flat input (add a flatten), got ${fmt(x)}`);
        if (x[0] !== l.inFeatures) throw new Error(`${where}: linear ${name} expects ${l.inFeatures} input features, got ${x[0]}`);
        return [l.outFeatures];
      }
      case "batchnorm": {
        const c = x[0];
        if (c !== l.features) throw new Error(`${where}: batchnorm ${name} has ${l.features} features but its input is ${fmt(x)}`);
        return x;
      }
      case "relu":
      case "relu6":
        return x;
    }
  };
  const final = run(spec.layers, [spec.inputChannels, spec.inputSize, spec.inputSize], "", "");
  if (final.length !== 1 || final[0] !== spec.classes) {
    throw new Error(`${where}: the network outputs ${fmt(final)}, expected [${spec.classes}] (classes)`);
  }
  return out;
}

/** Map from a conv layer name to its input and output [C, H, W] (convenience for encoders and models). */
export function convShapes(spec: ArchSpec): Map<string, { input: FeatureShape; output: FeatureShape }> {
  const m = new Map<string, { input: FeatureShape; output: FeatureShape }>();
  for (const s of inferShapes(spec)) if (s.kind === "conv2d" || s.kind === "linear") m.set(s.name, { input: s.input, output: s.output });
  return m;
}
