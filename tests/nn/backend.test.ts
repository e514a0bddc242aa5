import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { backendInfo, describeBackend, guardWasm, initBackend } from "../../src/nn/backend";

test("initBackend picks wasm here (no native binding; the tfjs-node alias is not taken for one)", async () => {
  assert.equal(backendInfo(), null);
  const info = await initBackend();
  assert.equal(info.backend, "wasm");
  assert.equal(tf.getBackend(), "wasm");
  assert.equal(info.backendVersion, require("@tensorflow/tfjs-backend-wasm/package.json").version);
  assert.equal(info.simd, true);
  assert.ok(info.notes.some((n) => n.startsWith("@tensorflow/tfjs-node:")), info.notes.join("; "));
  assert.equal(backendInfo(), info);
  assert.match(describeBackend(), /^wasm \(@tensorflow\/tfjs-backend-wasm 4\.\d+\.\d+, SIMD/);
  // a second call is idempotent; asking for cpu switches
  assert.equal(await initBackend(), info);
  const cpu = await initBackend("cpu");
  assert.equal(cpu.backend, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  await assert.rejects(initBackend("tensorflow"), /native backend unavailable/);
  await initBackend("wasm");
  assert.equal(tf.getBackend(), "wasm");
});

test("guardWasm turns a wasm heap failure into a clear error and passes other errors through", async () => {
  await initBackend("wasm");
  assert.equal(guardWasm("x", () => 3), 3);
  assert.throws(() => guardWasm("step 1", () => { throw new Error("shape mismatch"); }), /^Error: shape mismatch$/);
  assert.throws(
    () => guardWasm("training step 7 (batch 512)", () => { throw new Error("RuntimeError: memory access out of bounds"); }),
    /wasm heap exhausted at training step 7 \(batch 512\).*lower the batch size/,
  );
  // afterwards the module is considered dead: fail fast with the same explanation
  assert.throws(() => guardWasm("next", () => 1), /died earlier \(wasm heap exhausted at training step 7/);
});
