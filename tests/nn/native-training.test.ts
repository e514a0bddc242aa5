import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { initBackend } from "../../src/nn/backend";
import { buildArchitecture } from "../../src/nn/architectures";
import { buildModel } from "../../src/nn/model";
import { installNativeKernels, nativeInfo, nativeRunCount, nativeRunSeconds, uninstallNativeKernels } from "../../src/nn/native";
import { nativeSkip } from "./native-test-util";
import { train, type TrainResult } from "../../src/train/train";
import type { TrainRecipe } from "../../src/train/recipes";
import { NO_AUGMENT } from "../../src/io/augment";
import { workerThreads } from "../../src/experiment/runner";
import { syntheticQuadrants } from "../train/tiny-fixtures";

const skip = nativeSkip;

const recipe: TrainRecipe = { epochs: 2, batchSize: 16, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, milestones: [1], gamma: 0.1, augment: NO_AUGMENT };

function run(threads?: number): TrainResult {
  // a narrow ResNet-20 at 8×8: convs with stride 2 and explicit pads, 1×1 shortcuts, BatchNorm, dense head
  const spec = buildArchitecture("resnet20", { inputSize: 8, inputChannels: 1, classes: 4, widthMultiplier: 0.25 });
  const model = buildModel(spec, { seed: 5 });
  try {
    return train(model, { train: syntheticQuadrants(96, 1), test: syntheticQuadrants(64, 2) }, recipe, { seed: 7, evalEveryEpoch: true, ...(threads ? { threads } : {}) });
  } finally {
    model.dispose();
  }
}

// Judged per epoch: the mean training loss within 1e-3 relative (float summation order differs
// between oneDNN and XNNPACK and compounds over the steps, ~1e-6 per step here) and the test
// accuracy within one example of 64.
function assertSameCurve(a: TrainResult, b: TrainResult, what: string): void {
  assert.equal(a.epochs.length, b.epochs.length);
  for (let e = 0; e < a.epochs.length; e++) {
    const la = a.epochs[e].loss;
    const lb = b.epochs[e].loss;
    assert.ok(Math.abs(la - lb) <= 1e-3 * Math.abs(lb), `${what}: epoch ${e} loss ${la} vs ${lb}`);
    const aa = a.epochs[e].testAccuracy ?? NaN;
    const ab = b.epochs[e].testAccuracy ?? NaN;
    assert.ok(Math.abs(aa - ab) <= 1 / 64 + 1e-12, `${what}: epoch ${e} accuracy ${aa} vs ${ab}`);
  }
}

test("seeded training on the native kernels follows the wasm kernels' loss and accuracy curve", { skip }, async () => {
  await initBackend("wasm");
  assert.ok(nativeInfo().active, `native kernels not active: ${nativeInfo().reason}`);
  const before = nativeRunCount();
  const inside0 = nativeRunSeconds();
  const t0 = performance.now();
  const native = run();
  const wall = (performance.now() - t0) / 1000;
  assert.ok(nativeRunCount() - before > 100, "the native kernels were not used");
  const inside = nativeRunSeconds() - inside0;
  assert.ok(inside > 0 && inside < wall, `time inside native calls ${inside} s should be within the run's ${wall} s`);
  uninstallNativeKernels();
  try {
    const wasm = run();
    assert.ok(wasm.epochs[0].loss !== native.epochs[0].loss || wasm.epochs[1].loss !== native.epochs[1].loss, "the two runs should differ in float rounding at least");
    assertSameCurve(native, wasm, "native vs wasm");
  } finally {
    installNativeKernels();
  }
});

test("train's threads option: 1 and 2 threads give the same curve (summation order only)", { skip }, async () => {
  await initBackend("wasm");
  assertSameCurve(run(1), run(2), "1 vs 2 threads");
});

test("workerThreads shares the cores among workers and refuses oversubscription", () => {
  assert.equal(workerThreads(2, undefined, 2), 1);
  assert.equal(workerThreads(1, undefined, 8), 8);
  assert.equal(workerThreads(3, undefined, 8), 2);
  assert.equal(workerThreads(16, undefined, 8), 1);
  assert.equal(workerThreads(2, 4, 8), 4);
  assert.throws(() => workerThreads(2, 2, 2), /2 worker\(s\) × 2 thread\(s\) exceeds the 2 cores/);
  assert.throws(() => workerThreads(1, 0, 2), /threads must be a positive integer/);
});

test("without oneDNN everything runs on the wasm kernels, with one message saying what is lost", () => {
  const root = path.resolve(__dirname, "..", "..");
  const code = [
    'const tf = require("@tensorflow/tfjs");',
    'const { initBackend, describeBackend } = require("./src/nn/backend");',
    "initBackend().then((info) => {",
    "  const x = tf.ones([2, 6, 6, 3]); const w = tf.ones([3, 3, 3, 4]);",
    "  const g = tf.grad((w) => tf.sum(tf.conv2d(x, w, 1, 'same')))(w);",
    "  console.log(JSON.stringify({ backend: info.backend, native: info.native, sum: g.sum().dataSync()[0], line: describeBackend(info) }));",
    "});",
  ].join("\n");
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", code], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, SNN_DNNL_LIB: path.join(root, "no-such-dir", "libdnnl.so.2"), SNN_NATIVE: "" },
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as { backend: string; native: { active: boolean; reason: string }; sum: number; line: string };
  assert.equal(out.backend, "wasm");
  assert.equal(out.native.active, false);
  assert.match(out.native.reason, /libdnnl\.so\.2\) not found/);
  // dL/dw[dy,dx,ci,co] of sum(conv(ones, w), 'same') counts the output positions whose tap (dy, dx)
  // lands inside the 6×6 input: (6 − |dy|)(6 − |dx|) per sample; summed: 2 samples × 12 (ci, co) × (5+6+5)²
  assert.equal(out.sum, 2 * 12 * 16 * 16);
  const messages = r.stderr.split("\n").filter((l) => l.includes("nn/native"));
  assert.equal(messages.length, 1, `expected one message, got:\n${r.stderr}`);
  assert.match(messages[0], /not found.*single-threaded wasm kernels.*libdnnl2/);
});
