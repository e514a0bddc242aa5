import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/nn/backend";
import { buildModel, loadHostWeights, modelToHost } from "../../src/nn/model";
import type { ArchSpec, LayerSpec } from "../../src/nn/spec";
import type { HostTensor, WeightMap } from "../../src/nn/tensors";
import { buildArchitecture } from "../../src/nn/architectures";
import { Rng } from "../../src/util/rng";

// Independent reference: a plain-JS NCHW forward pass in float64 over the PyTorch-layout weights.
interface T4 { n: number; c: number; h: number; w: number; d: Float64Array }
interface F2 { n: number; f: number; d: Float64Array }
type Act = T4 | F2;

function refForward(spec: ArchSpec, W: WeightMap, x: T4, training: boolean): Float64Array[] {
  const cur: Act = x;
  const get = (n: string): HostTensor => { const t = W.get(n); if (!t) throw new Error(n); return t; };
  const run = (layers: readonly LayerSpec[], inp: Act): Act => { let h = inp; for (const l of layers) h = layer(l, h); return h; };
  function layer(l: LayerSpec, a: Act): Act {
    if (l.kind === "conv2d") {
      const t = a as T4; const w = get(`${l.name}.weight`).data; const b = l.bias ? get(`${l.name}.bias`).data : null;
      const oh = Math.floor((t.h + 2 * l.padding - l.kernel) / l.stride) + 1, ow = Math.floor((t.w + 2 * l.padding - l.kernel) / l.stride) + 1;
      const co = l.outChannels, cpg = l.inChannels / l.groups, opg = co / l.groups;
      const d = new Float64Array(t.n * co * oh * ow);
      for (let n = 0; n < t.n; n++) for (let o = 0; o < co; o++) { const g = Math.floor(o / opg);
        for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) { let s = b ? b[o] : 0;
          for (let c = 0; c < cpg; c++) for (let ki = 0; ki < l.kernel; ki++) for (let kj = 0; kj < l.kernel; kj++) {
            const y = i * l.stride - l.padding + ki, xx = j * l.stride - l.padding + kj;
            if (y < 0 || y >= t.h || xx < 0 || xx >= t.w) continue;
            s += w[((o * cpg + c) * l.kernel + ki) * l.kernel + kj] * t.d[((n * t.c + g * cpg + c) * t.h + y) * t.w + xx];
          }
          d[((n * co + o) * oh + i) * ow + j] = s; } }
      return { n: t.n, c: co, h: oh, w: ow, d };
    }
    if (l.kind === "linear") {
      const t = a as F2; const w = get(`${l.name}.weight`).data; const b = l.bias ? get(`${l.name}.bias`).data : null;
      const d = new Float64Array(t.n * l.outFeatures);
      for (let n = 0; n < t.n; n++) for (let o = 0; o < l.outFeatures; o++) { let s = b ? b[o] : 0; for (let i = 0; i < l.inFeatures; i++) s += w[o * l.inFeatures + i] * t.d[n * l.inFeatures + i]; d[n * l.outFeatures + o] = s; }
      return { n: t.n, f: l.outFeatures, d };
    }
    if (l.kind === "relu" || l.kind === "relu6") return { ...a, d: a.d.map((v) => (l.kind === "relu" ? Math.max(v, 0) : Math.min(Math.max(v, 0), 6))) };
    if (l.kind === "flatten") { const t = a as T4; return "c" in t ? { n: t.n, f: t.c * t.h * t.w, d: t.d } : a; }
    if (l.kind === "globalavgpool") { const t = a as T4; const d = new Float64Array(t.n * t.c);
      for (let n = 0; n < t.n; n++) for (let c = 0; c < t.c; c++) { let s = 0; for (let i = 0; i < t.h * t.w; i++) s += t.d[(n * t.c + c) * t.h * t.w + i]; d[n * t.c + c] = s / (t.h * t.w); }
      return { n: t.n, f: t.c, d }; }
    if (l.kind === "maxpool" || l.kind === "avgpool") { const t = a as T4; const k = l.kernel, s = l.stride, p = l.padding;
      const oh = Math.floor((t.h + 2 * p - k) / s) + 1, ow = Math.floor((t.w + 2 * p - k) / s) + 1; const d = new Float64Array(t.n * t.c * oh * ow);
      for (let n = 0; n < t.n; n++) for (let c = 0; c < t.c; c++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
        let m = -Infinity, sum = 0;
        for (let ki = 0; ki < k; ki++) for (let kj = 0; kj < k; kj++) { const y = i * s - p + ki, xx = j * s - p + kj;
          const v = y < 0 || y >= t.h || xx < 0 || xx >= t.w ? (l.kind === "maxpool" ? -Infinity : 0) : t.d[((n * t.c + c) * t.h + y) * t.w + xx]; m = Math.max(m, v); sum += v; }
        d[((n * t.c + c) * oh + i) * ow + j] = l.kind === "maxpool" ? m : sum / (k * k); }
      return { n: t.n, c: t.c, h: oh, w: ow, d }; }
    if (l.kind === "batchnorm") {
      const C = "c" in a ? a.c : a.f; const per = "c" in a ? (a as T4).h * (a as T4).w : 1;
      const g = get(`${l.name}.weight`).data, b = get(`${l.name}.bias`).data;
      const idx = (n: number, c: number, i: number) => (n * C + c) * per + i;
      const d = new Float64Array(a.d.length);
      for (let c = 0; c < C; c++) { let mean: number, v: number;
        if (training) { let s = 0, s2 = 0; const M = a.n * per;
          for (let n = 0; n < a.n; n++) for (let i = 0; i < per; i++) s += a.d[idx(n, c, i)]; mean = s / M;
          for (let n = 0; n < a.n; n++) for (let i = 0; i < per; i++) s2 += (a.d[idx(n, c, i)] - mean) ** 2; v = s2 / M;
        } else { mean = get(`${l.name}.running_mean`).data[c]; v = get(`${l.name}.running_var`).data[c]; }
        for (let n = 0; n < a.n; n++) for (let i = 0; i < per; i++) d[idx(n, c, i)] = ((a.d[idx(n, c, i)] - mean) / Math.sqrt(v + 1e-5)) * g[c] + b[c]; }
      return { ...a, d };
    }
    if (l.kind === "residual") {
      const pre = run(l.pre, a); const body = run(l.body, pre); const sc = run(l.shortcut, l.shortcutFromPre ? pre : a);
      return run(l.post, { ...body, d: body.d.map((v, i) => v + sc.d[i]) });
    }
    throw new Error("unknown layer");
  }
  const out = run(spec.layers, cur) as F2;
  const rows: Float64Array[] = [];
  for (let n = 0; n < out.n; n++) rows.push(out.d.slice(n * out.f, (n + 1) * out.f));
  return rows;
}

const conv = (name: string, i: number, o: number, k: number, s: number, p: number, extra: Partial<{ groups: number; bias: boolean; role: "conv" | "residual" }> = {}): LayerSpec =>
  ({ kind: "conv2d", name, inChannels: i, outChannels: o, kernel: k, stride: s, padding: p, groups: extra.groups ?? 1, bias: extra.bias ?? false, role: extra.role ?? "conv" });
const bn = (name: string, f: number): LayerSpec => ({ kind: "batchnorm", name, features: f });

// Covers every layer kind: stride-2 padded conv (explicit pad), depthwise, residual with projection
// shortcut from pre-activation, identity residual, maxpool with padding, avgpool, BN1d, flatten, biases.
const handSpec: ArchSpec = {
  name: "hand", inputChannels: 2, inputSize: 9, classes: 3,
  layers: [
    conv("c1", 2, 4, 3, 1, 1, { bias: true }), bn("b1", 4), { kind: "relu" },
    { kind: "residual", name: "r1", pre: [bn("r1.bn", 4), { kind: "relu" }], body: [conv("r1.conv1", 4, 6, 3, 2, 1), bn("r1.bn2", 6), { kind: "relu6" }, conv("r1.dw", 6, 6, 3, 1, 1, { groups: 6 })],
      shortcut: [conv("r1.shortcut.0", 4, 6, 1, 2, 0, { role: "residual" })], shortcutFromPre: true, post: [] },
    { kind: "residual", name: "r2", pre: [], body: [conv("r2.conv", 6, 6, 3, 1, 1), bn("r2.bn", 6)], shortcut: [], shortcutFromPre: false, post: [{ kind: "relu" }] },
    { kind: "maxpool", kernel: 3, stride: 2, padding: 1 },
    { kind: "avgpool", kernel: 2, stride: 1, padding: 0 },
    { kind: "flatten" },
    { kind: "linear", name: "fc1", inFeatures: 24, outFeatures: 5, bias: true }, bn("fc1bn", 5), { kind: "relu" },
    { kind: "linear", name: "fc2", inFeatures: 5, outFeatures: 3, bias: false },
  ],
};

function randomInput(seed: number, n: number, h: number, c: number): { nhwc: tf.Tensor4D; nchw: T4 } {
  const rng = new Rng(seed);
  const d = new Float64Array(n * c * h * h);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  const nhwc = new Float32Array(d.length);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < h; i++) for (let j = 0; j < h; j++) nhwc[((b * h + i) * h + j) * c + ch] = d[((b * c + ch) * h + i) * h + j];
  return { nhwc: tf.tensor4d(nhwc, [n, h, h, c]), nchw: { n, c, h, w: h, d } };
}

function perturb(W: WeightMap, seed: number): WeightMap {
  // non-trivial biases, BN affine parameters and running statistics, so every path is exercised
  const rng = new Rng(seed);
  const out: WeightMap = new Map();
  for (const [k, v] of W) {
    const d = Float32Array.from(v.data);
    if (!k.endsWith(".weight") || v.shape.length === 1) for (let i = 0; i < d.length; i++) d[i] = k.endsWith("running_var") ? 0.5 + rng.next() : rng.normal() * 0.5 + (k.endsWith(".weight") ? 1 : 0);
    out.set(k, { shape: v.shape, data: d });
  }
  return out;
}

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * Math.max(1, scale), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test("forward matches an independent NCHW reference (train and eval BN, all layer kinds)", async () => {
  await initBackend("wasm");
  const model = buildModel(handSpec, { seed: 3 });
  const W = perturb(modelToHost(model).weights, 9);
  loadHostWeights(model, W);
  const { nhwc, nchw } = randomInput(1, 4, 9, 2);
  for (const training of [false, true]) {
    const got = tf.tidy(() => model.forward(nhwc, { training }).arraySync());
    const want = refForward(handSpec, W, nchw, training);
    for (let n = 0; n < 4; n++) assertClose(got[n], want[n], 1e-4, `training=${training} sample ${n}`);
  }
  // noBatchNorm skips BN entirely
  const noBnSpec: ArchSpec = { ...handSpec, layers: stripBn(handSpec.layers) };
  const got = tf.tidy(() => model.forward(nhwc, { training: true, noBatchNorm: true }).arraySync());
  const want = refForward(noBnSpec, W, nchw, true);
  for (let n = 0; n < 4; n++) assertClose(got[n], want[n], 1e-4, `noBatchNorm sample ${n}`);
  model.dispose();
});

function stripBn(layers: readonly LayerSpec[]): LayerSpec[] {
  return layers.filter((l) => l.kind !== "batchnorm").map((l) => (l.kind === "residual" ? { ...l, pre: stripBn(l.pre), body: stripBn(l.body), shortcut: stripBn(l.shortcut), post: stripBn(l.post) } : l));
}

test("Kaiming-normal init (fan-in), zero frozen biases, seeded determinism, PyTorch layouts", async () => {
  await initBackend("wasm");
  const spec = buildArchitecture("conv6", { inputSize: 16, widthMultiplier: 0.25 });
  const a = buildModel(spec, { seed: 7 });
  const b = buildModel(spec, { seed: 7 });
  const c = buildModel(spec, { seed: 8 });
  const ha = modelToHost(a).weights;
  const hb = modelToHost(b).weights;
  const hc = modelToHost(c).weights;
  assert.deepEqual(a.prunable, ["convs1.0.weight", "convs1.3.weight", "convs1.7.weight", "convs1.10.weight", "convs1.14.weight", "convs1.17.weight", "linear.0.weight", "linear.3.weight", "linear.6.weight"]);
  for (const name of a.prunable) {
    const w = ha.get(name)!;
    assert.deepEqual(w.data, hb.get(name)!.data, `${name}: same seed, same weights`);
    assert.notDeepEqual(w.data, hc.get(name)!.data, `${name}: different seed`);
    const fanIn = w.shape.slice(1).reduce((x, y) => x * y, 1);
    let s2 = 0;
    for (const v of w.data) s2 += v * v;
    const std = Math.sqrt(s2 / w.data.length);
    const expected = Math.sqrt(2 / fanIn);
    const tol = 4 * expected / Math.sqrt(2 * w.data.length) + 1e-6; // ~4 standard errors of the std estimate
    assert.ok(Math.abs(std - expected) < tol, `${name}: std ${std}, expected ${expected}`);
  }
  assert.deepEqual(ha.get("convs1.0.weight")!.shape, [16, 3, 3, 3]);
  assert.deepEqual(ha.get("linear.0.weight")!.shape, [64, 64 * 2 * 2]);
  for (const name of ["convs1.0.bias", "linear.6.bias"]) {
    assert.ok(ha.get(name)!.data.every((v) => v === 0), `${name} is zero`);
    assert.ok(a.frozen.has(name), `${name} is frozen`);
  }
  assert.ok(ha.get("convs1.1.weight")!.data.every((v) => v === 1));
  assert.ok(ha.get("convs1.1.running_var")!.data.every((v) => v === 1));
  assert.ok(!a.frozen.has("convs1.1.weight"));
  for (const m of [a, b, c]) m.dispose();
});

test("masks zero weights; host round trip preserves weights, masks and outputs; bad input is rejected", async () => {
  await initBackend("wasm");
  const model = buildModel(handSpec, { seed: 1 });
  const rng = new Rng(4);
  for (const name of model.prunable) {
    const shape = modelToHost(model).weights.get(name)!.shape;
    const data = new Uint8Array(shape.reduce((x, y) => x * y, 1));
    for (let i = 0; i < data.length; i++) data[i] = rng.next() < 0.5 ? 1 : 0;
    model.setMask(name, { shape, data });
  }
  const host = modelToHost(model);
  for (const name of model.prunable) {
    const w = host.weights.get(name)!;
    const m = host.masks.get(name)!;
    for (let i = 0; i < m.data.length; i++) if (m.data[i] === 0) assert.ok(w.data[i] === 0, `${name}[${i}] masked but ${w.data[i]}`);
  }
  const other = buildModel(handSpec, { seed: 2 });
  loadHostWeights(other, host.weights, host.masks);
  const back = modelToHost(other);
  for (const [k, v] of host.weights) assert.deepEqual(back.weights.get(k)!.data, v.data, k);
  for (const [k, v] of host.masks) assert.deepEqual(back.masks.get(k)!.data, v.data, k);
  const { nhwc } = randomInput(3, 2, 9, 2);
  const y1 = tf.tidy(() => model.forward(nhwc, { training: false }).dataSync());
  const y2 = tf.tidy(() => other.forward(nhwc, { training: false }).dataSync());
  assert.deepEqual(y1, y2);

  const bad = new Map(host.weights);
  bad.set("c1.weight", { shape: [4, 2, 3, 4], data: new Float32Array(96) });
  assert.throws(() => loadHostWeights(other, bad), /'c1\.weight' has shape \[4,2,3,4\], the model expects \[4,2,3,3\]/);
  const extra = new Map(host.weights);
  extra.set("nope.weight", { shape: [1], data: new Float32Array(1) });
  assert.throws(() => loadHostWeights(other, extra), /'nope\.weight', which the model does not/);
  const missing = new Map(host.weights);
  missing.delete("fc2.weight");
  assert.throws(() => loadHostWeights(other, missing), /lack 1 tensor\(s\): fc2\.weight/);
  assert.throws(() => model.forward(tf.zeros([1, 9, 9, 3]) as tf.Tensor4D, { training: false }), /input must be \[batch, H, W, 2\]/);
  model.dispose();
  other.dispose();
});

test("every paper architecture builds and runs forward (tiny widths)", async () => {
  await initBackend("wasm");
  for (const name of ["conv6", "resnet20", "wrn28-2", "mobilenetv2", "lenet300-100", "lenet5"]) {
    const mnist = name.startsWith("lenet");
    const spec = buildArchitecture(name, mnist ? {} : { widthMultiplier: 0.125 });
    const model = buildModel(spec, { seed: 0 });
    const x = tf.randomNormal([2, spec.inputSize, spec.inputSize, spec.inputChannels], 0, 1, "float32", 1) as tf.Tensor4D;
    const y = tf.tidy(() => model.forward(x, { training: true }));
    assert.deepEqual(y.shape, [2, 10], name);
    assert.ok(Array.from(y.dataSync()).every(Number.isFinite), `${name}: finite logits`);
    y.dispose();
    x.dispose();
    model.dispose();
  }
});

test("BatchNorm running statistics follow PyTorch (momentum 0.1, unbiased variance), also under variableGrads", async () => {
  await initBackend("wasm");
  const spec: ArchSpec = { name: "bnonly", inputChannels: 2, inputSize: 3, classes: 2, layers: [bn("bn", 2), { kind: "flatten" }, { kind: "linear", name: "fc", inFeatures: 18, outFeatures: 2, bias: false }] };
  const model = buildModel(spec, { seed: 0 });
  const { nhwc, nchw } = randomInput(5, 4, 3, 2);
  const expectMean: number[] = [];
  const expectVar: number[] = [];
  for (let c = 0; c < 2; c++) {
    const v: number[] = [];
    for (let n = 0; n < 4; n++) for (let i = 0; i < 9; i++) v.push(nchw.d[(n * 2 + c) * 9 + i]);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const uv = v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1);
    expectMean.push(m);
    expectVar.push(uv);
  }
  tf.tidy(() => { model.forward(nhwc, { training: true, updateRunningStats: true }); });
  let rm = model.buffers.get("bn.running_mean")!.dataSync();
  let rv = model.buffers.get("bn.running_var")!.dataSync();
  for (let c = 0; c < 2; c++) {
    assert.ok(Math.abs(rm[c] - 0.1 * expectMean[c]) < 1e-6, `mean ${rm[c]}`);
    assert.ok(Math.abs(rv[c] - (0.9 + 0.1 * expectVar[c])) < 1e-5, `var ${rv[c]}`);
  }
  // second update inside a gradient tape (the training loop's path)
  const vars = [model.params.get("fc.weight")!, model.params.get("bn.weight")!];
  tf.tidy(() => { tf.variableGrads(() => tf.sum(model.forward(nhwc, { training: true, updateRunningStats: true })) as tf.Scalar, vars); });
  rm = model.buffers.get("bn.running_mean")!.dataSync();
  rv = model.buffers.get("bn.running_var")!.dataSync();
  for (let c = 0; c < 2; c++) {
    assert.ok(Math.abs(rm[c] - (0.9 * 0.1 + 0.1) * expectMean[c]) < 1e-6);
    assert.ok(Math.abs(rv[c] - (0.9 * (0.9 + 0.1 * expectVar[c]) + 0.1 * expectVar[c])) < 1e-5);
  }
  // without the flag nothing changes
  tf.tidy(() => { model.forward(nhwc, { training: true }); });
  assert.deepEqual(model.buffers.get("bn.running_mean")!.dataSync(), rm);
  model.dispose();
});
