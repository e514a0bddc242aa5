// Test helper: a hand-written tiny SparseModel (independent of src/nn/model.ts) so the pruners can be
// checked by finite differences. conv3×3(1→3, pad 1) → act → maxpool 2 → flatten → fc(12→5) → act → fc(5→3).
import * as tf from "@tensorflow/tfjs";
import type { SparseModel, ForwardOptions } from "../../src/nn/model-api";
import type { ArchSpec } from "../../src/nn/spec";
import { arrayPruneData, type PruneData } from "../../src/pruning/data";
import { Rng } from "../../src/util/rng";

export function tinySpec(bias: boolean, c = 3, h = 5): ArchSpec {
  return {
    name: "tiny",
    inputChannels: 1,
    inputSize: 4,
    classes: 3,
    layers: [
      { kind: "conv2d", name: "conv1", inChannels: 1, outChannels: c, kernel: 3, stride: 1, padding: 1, groups: 1, bias, role: "conv" },
      { kind: "relu" },
      { kind: "maxpool", kernel: 2, stride: 2, padding: 0 },
      { kind: "flatten" },
      { kind: "linear", name: "fc1", inFeatures: 4 * c, outFeatures: h, bias },
      { kind: "relu" },
      { kind: "linear", name: "fc2", inFeatures: h, outFeatures: 3, bias },
    ],
  };
}

let counter = 0;
export function tinyModel(seed: number, options: { bias?: boolean; activation?: "relu" | "tanh"; channels?: number; hidden?: number; pool?: "max" | "avg" } = {}): SparseModel {
  const pool = options.pool === "avg" ? tf.avgPool : tf.maxPool;
  const bias = options.bias ?? true;
  const c = options.channels ?? 3;
  const hd = options.hidden ?? 5;
  const act = options.activation === "tanh" ? tf.tanh : tf.relu;
  const rng = new Rng(seed);
  const rand = (shape: number[], std: number): tf.Variable => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.normal() * std;
    return tf.variable(tf.tensor(v, shape), true, `tiny${counter++}`);
  };
  const params = new Map<string, tf.Variable>();
  params.set("conv1.weight", rand([3, 3, 1, c], Math.sqrt(2 / 9)));
  params.set("fc1.weight", rand([4 * c, hd], Math.sqrt(2 / (4 * c))));
  params.set("fc2.weight", rand([hd, 3], Math.sqrt(2 / hd)));
  if (bias) {
    params.set("conv1.bias", rand([c], 0.1));
    params.set("fc1.bias", rand([hd], 0.1));
    params.set("fc2.bias", rand([3], 0.1));
  }
  const prunable = ["conv1.weight", "fc1.weight", "fc2.weight"];
  const masks = new Map<string, tf.Tensor>();
  for (const n of prunable) masks.set(n, tf.onesLike(params.get(n)!));
  const model: SparseModel = {
    spec: tinySpec(bias, c, hd),
    params,
    buffers: new Map(),
    prunable,
    masks,
    forward(x: tf.Tensor4D, _o: ForwardOptions, p?: ReadonlyMap<string, tf.Tensor>): tf.Tensor2D {
      const P = (n: string): tf.Tensor => (p ?? params).get(n)!;
      return tf.tidy(() => {
        let h: tf.Tensor = tf.conv2d(x, P("conv1.weight") as tf.Tensor4D, 1, "same");
        if (bias) h = tf.add(h, P("conv1.bias"));
        h = act(h);
        h = pool(h as tf.Tensor4D, 2, 2, "valid");
        h = tf.reshape(h, [x.shape[0], 4 * c]);
        h = tf.matMul(h as tf.Tensor2D, P("fc1.weight") as tf.Tensor2D);
        if (bias) h = tf.add(h, P("fc1.bias"));
        h = act(h);
        h = tf.matMul(h as tf.Tensor2D, P("fc2.weight") as tf.Tensor2D);
        if (bias) h = tf.add(h, P("fc2.bias"));
        return h as tf.Tensor2D;
      });
    },
  };
  return model;
}

export function tinyData(seed: number, n = 200): PruneData {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 16);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < 16; j++) x[i * 16 + j] = rng.normal() + (j % 3 === y[i] ? 1 : 0);
  }
  return arrayPruneData(x, y, { shape: [4, 4, 1], classes: 3 });
}

/** All values of the tensors, concatenated, as float64. */
export function flat(ts: readonly tf.Tensor[]): Float64Array {
  const parts = ts.map((t) => t.dataSync());
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) for (let i = 0; i < p.length; i++) out[o++] = p[i];
  return out;
}
