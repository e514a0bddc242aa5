import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../src/util/rng";
import { initBackend } from "../../src/nn/backend";
import { batchNormBackward, batchNormBackwardVjp, batchNormTrain } from "../../src/nn/batchnorm-ops";
import { nativeRunCount, setNativeThreads, defaultThreads } from "../../src/nn/native";
import { nativeHvMatchingComposite, assertHvMatchesDifferences, assertOutputsClose, batchNormOutputs, batchNormPairs, nativeReady, nativeSkip, onComposite, randn, relErr } from "./native-test-util";
import { loadDnnl, DNNL } from "../../src/nn/native/dnnl";
import { PrimitiveCache } from "../../src/nn/native/primitive-cache";
import { WasmHeap } from "../../src/nn/native/wasm-heap";
import { batchNormInferPrimitive, batchNormPrimitives } from "../../src/nn/native/batchnorm";

// Training BatchNorm on oneDNN (nn/native/batchnorm) against the composite of wasm kernels
// (nn/batchnorm-ops), and its second-order gradient (the closed-form VJP registered for the
// backward kernel). Criterion as in native-kernels.test.ts: max |native − composite| ≤ 1e-5 ·
// max |composite| per output.

const skip = nativeSkip;
const ready = nativeReady;

function shapes(rng: Rng): number[][] {
  const out: number[][] = [
    [1, 5, 5, 3],
    [6, 1],
    [2, 3, 3, 1],
    [1, 1, 1, 7],
    [3, 4, 5, 6, 2],
    [64, 16, 16, 64], // 1 M elements: 2 threads
    [48, 16, 16, 100], // C off the vector width: channel-blocked (8), 2 threads
    [64, 16, 16, 16], // 1 thread even with 2 to spare
    [32, 5, 5, 20], // channel-blocked by 8
  ];
  while (out.length < 16) {
    const rank = 2 + rng.int(4);
    const s = Array.from({ length: rank - 1 }, () => 1 + rng.int(9));
    out.push([...s, 1 + rng.int(40)]);
  }
  return out;
}

test("native BatchNorm (forward, statistics, backward) equals the composite on random shapes, ranks 2–5, 1 and 2 threads", { skip }, async () => {
  await ready();
  const rng = new Rng(31);
  try {
    for (const shape of shapes(rng)) {
      const C = shape[shape.length - 1];
      // an offset larger than the spread: the variance must be two-pass (centred) to stay accurate
      const x = randn(rng, shape, 1.5, 3);
      const g = randn(rng, [C]);
      const b = randn(rng, [C]);
      const dy = randn(rng, shape);
      const ref = onComposite(() => batchNormOutputs(batchNormTrain, x, g, b, dy));
      for (const threads of [1, 2]) {
        setNativeThreads(threads);
        const before = nativeRunCount();
        const nat = batchNormOutputs(batchNormTrain, x, g, b, dy);
        assert.ok(nativeRunCount() - before >= 3, `x [${shape}]: the native BatchNorm kernels did not run`);
        const what = `x [${shape}], ${threads} thread(s)`;
        assertOutputsClose(batchNormPairs(nat, ref), what);
      }
      tf.dispose([x, g, b, dy]);
    }
  } finally {
    setNativeThreads(defaultThreads());
  }
});

test("the closed-form VJP of BatchNorm's backward pass equals tf.grads of the composite backward", async () => {
  await initBackend("wasm");
  const rng = new Rng(32);
  for (const shape of [
    [4, 3, 3, 5],
    [7, 2],
    [2, 5, 1],
  ]) {
    const C = shape[shape.length - 1];
    const [x, dy, a] = [randn(rng, shape, 1.2, 0.5), randn(rng, shape), randn(rng, shape)];
    const [g, bv, cv] = [randn(rng, [C]), randn(rng, [C]), randn(rng, [C])];
    const closed = tf.tidy(() => batchNormBackwardVjp(x, g, dy, a, bv, cv, 1e-5).map((t) => t.dataSync()));
    const auto = tf.tidy(() =>
      tf
        .grads((xi: tf.Tensor, gi: tf.Tensor, di: tf.Tensor) => {
          const [dx, dg, db] = batchNormBackward(xi, gi, di, 1e-5);
          return tf.addN([tf.sum(tf.mul(dx, a)), tf.sum(tf.mul(dg, bv)), tf.sum(tf.mul(db, cv))]);
        })([x, g, dy])
        .map((t) => t.dataSync()),
    );
    ["∂/∂x", "∂/∂γ", "∂/∂dy"].forEach((name, i) => {
      const e = relErr(closed[i], auto[i]);
      assert.ok(e <= 1e-4, `x [${shape}]: ${name} relative error ${e.toExponential(2)}`);
    });
  }
});

/** A conv → BatchNorm → tanh → dense net's loss as a function of all its weights. */
function netLoss(rng: Rng): { weights: tf.Variable[]; loss: (ws: tf.Tensor[]) => tf.Scalar } {
  const x = randn(rng, [6, 5, 5, 3]);
  const target = randn(rng, [6, 4]);
  const weights = [randn(rng, [3, 3, 3, 8], 0.4), randn(rng, [8], 0.3, 1), randn(rng, [8], 0.3), randn(rng, [5 * 5 * 8, 4], 0.1)].map((t) => tf.variable(t));
  const loss = (ws: tf.Tensor[]): tf.Scalar => {
    const h = tf.tanh(batchNormTrain(tf.conv2d(x as tf.Tensor4D, ws[0] as tf.Tensor4D, 1, "same"), ws[1], ws[2]));
    const out = tf.matMul(tf.reshape(h, [6, 5 * 5 * 8]), ws[3] as tf.Tensor2D);
    return tf.mean(tf.square(tf.sub(out, target)));
  };
  return { weights, loss };
}

test("second order through the native BatchNorm: H·v equals the composite's and finite differences of the gradient", { skip }, async () => {
  await ready();
  const rng = new Rng(33);
  const { weights, loss } = netLoss(rng);
  const v = weights.map((w) => randn(rng, w.shape));
  const nat = nativeHvMatchingComposite(loss, weights, v);
  // (∇L(w + h·v) − ∇L(w − h·v)) / 2h on the native path
  const h = 1e-2;
  const gradAt = (sign: number): Float32Array[] =>
    tf.tidy(() => {
      const ws = weights.map((w, i) => tf.add(w, tf.mul(v[i], sign * h)));
      return tf.grads((...wi: tf.Tensor[]) => loss(wi))(ws).map((t) => t.dataSync() as Float32Array);
    });
  const plus = gradAt(1);
  const minus = gradAt(-1);
  assertHvMatchesDifferences(nat, plus, minus, h);
  tf.dispose([...weights, ...v]);
});

// oneDNN 2.6 has jit batch norm for these shapes from AVX2 on; below it (SSE4.1 CPUs, before 2011) it
// runs its C++ implementations, which the equality tests still check
function belowAvx2(): string | false {
  if (nativeSkip) return false;
  let isa: { name: string; avx2: boolean };
  try {
    isa = loadDnnl().isa;
  } catch {
    return false; // the test's nativeReady() says why oneDNN does not load
  }
  return !isa.avx2 && `oneDNN on this CPU (${isa.name}) has no jit batch norm for C off the vector width or fused with ReLU: its C++ implementations run`;
}

test("BatchNorm with C off the vector width runs on oneDNN's jit kernels (channel-blocked), not its plain channels-last fallback", { skip: skip || belowAvx2() }, async () => {
  await ready();
  const api = loadDnnl();
  api.budget = 1;
  const ctx = { api, heap: new WasmHeap(api.koffi), cache: new PrimitiveCache(api) };
  for (const shape of [[16, 8, 8, 12], [16, 8, 8, 3], [8, 10, 20], [2, 3, 4, 5, 7], [40, 12], [2, 2, 2, 2, 2, 3]]) {
    for (const relu of [false, true]) {
      const pair = batchNormPrimitives(ctx, shape, 1e-5, relu);
      assert.match(pair.forward.impl, /jit/, `x [${shape}]${relu ? " + ReLU" : ""} forward: ${pair.forward.impl}`);
      assert.match(pair.backward.impl, /jit/, `x [${shape}]${relu ? " + ReLU" : ""} backward: ${pair.backward.impl}`);
    }
    assert.match(batchNormInferPrimitive(ctx, shape, 1e-5, true).impl, /jit/, `x [${shape}] inference`);
  }
});

test("BatchNorm runs on oneDNN's barrier-free implementation, on 2 threads from 1 M elements; an unknown preference falls back to oneDNN's first choice, an avoided implementation is never taken", { skip }, async () => {
  await ready();
  const api = loadDnnl();
  api.budget = 2;
  const ctx = { api, heap: new WasmHeap(api.koffi), cache: new PrimitiveCache(api) };
  const pair = batchNormPrimitives(ctx, [128, 16, 16, 32], 1e-5);
  assert.equal(pair.forward.threads, 2, "1 M elements: 2 threads");
  assert.equal(pair.backward.threads, 2, "1 M elements: 2 threads (backward)");
  const small = batchNormPrimitives(ctx, [128, 8, 8, 64], 1e-5, true);
  assert.deepEqual([small.forward.threads, small.backward.threads], [1, 1], "512 K elements: 1 thread");
  assert.match(pair.forward.impl, /^bnorm_tbb_jit:/);
  assert.match(pair.backward.impl, /^bnorm_tbb_jit:/);
  const md = new Uint8Array(DNNL.MD_BYTES);
  api.mdInitByTag(md, [128, 32, 16, 16], DNNL.nhwc);
  const op = new Uint8Array(DNNL.OP_DESC_BYTES);
  api.batchNormForwardInit(op, md, 1e-5, DNNL.bnUseScale | DNNL.bnUseShift, "test");
  const first = api.implInfo(api.primitiveDesc(op, null, "test"));
  assert.equal(api.implInfo(api.primitiveDesc(op, null, "test", { prefer: "no_such_impl" })), first);
  // avoided implementations (oneDNN bugs) are never taken, preferred or not; none left: null
  const second = api.primitiveDesc(op, null, "test", { avoid: (impl) => impl === first });
  assert.ok(second !== null && api.implInfo(second) !== first, `avoiding ${first} still gave it`);
  assert.equal(api.implInfo(api.primitiveDesc(op, null, "test", { prefer: first, avoid: (impl) => impl === first })), api.implInfo(second));
  assert.equal(api.primitiveDesc(op, null, "test", { avoid: () => true }), null);
});
