// Resuming dynamic sparse training (SET, RigL, SNFS, DSR, ITOP) from an epoch checkpoint must give
// bit-identical weights, masks and momentum to the uninterrupted run: the checkpoint carries the DST
// hook's state (Rng, update log) and the training loop restores it, or refuses a mismatching one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { initBackend } from "../../src/nn/backend";
import { buildModel } from "../../src/nn/model";
import { readSafetensors, toFloat32, writeSafetensors, type TensorToWrite } from "../../src/io/safetensors";
import { prune } from "../../src/pruning/prune";
import { applyMasks } from "../../src/pruning/tf-util";
import type { DstConfig, DstHook } from "../../src/pruning/dst";
import { readModelFile, type ModelFile } from "../../src/train/checkpoint";
import { checkTrainHooks, type JsonValue, type TrainHook } from "../../src/train/hooks";
import type { TrainRecipe } from "../../src/train/recipes";
import { train } from "../../src/train/train";
import { Rng } from "../../src/util/rng";
import { syntheticQuadrants, tinySpec } from "./tiny-fixtures";

const spec = tinySpec;
const synthetic = syntheticQuadrants;

const data = { train: synthetic(96, 7) };
// 6 steps per epoch, 4 epochs; augmentation on so the epoch Rng is exercised too
const recipe: TrainRecipe = { epochs: 4, batchSize: 16, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, milestones: [3], gamma: 0.1, augment: { cropPadding: 1, flip: true } };
const METHODS = ["set", "rigl", "snfs", "dsr", "itop"] as const;
// SET keeps its once-per-epoch update; the others update every 2 steps so that several updates
// fall both before and after the checkpoint. ITOP's stopFraction < 1 so that the cosine schedule
// and the stop both matter.
const OVERRIDES: Record<(typeof METHODS)[number], Partial<DstConfig>> = {
  set: {},
  rigl: { updateEvery: 2 },
  snfs: { updateEvery: 2 },
  dsr: { updateEvery: 2 },
  itop: { updateEvery: 2, stopFraction: 0.9 },
};

function makeHook(method: string, overrides: Partial<DstConfig> = OVERRIDES[method as (typeof METHODS)[number]], seed = 4): { model: ReturnType<typeof buildModel>; hook: DstHook } {
  const model = buildModel(spec, { seed: 9 });
  const out = prune(method, model, 0.6, { seed, dst: overrides });
  applyMasks(model, out.masks);
  assert.ok(out.hook, `${method} returns a hook`);
  return { model, hook: out.hook };
}

/** Trains a fresh model + hook with a checkpoint file; returns the hook. */
function run(method: string, file: string, stopAfterEpochs?: number, hooks?: (h: DstHook) => TrainHook[]): DstHook {
  const { model, hook } = makeHook(method);
  try {
    train(model, data, recipe, { seed: 3, hooks: hooks ? hooks(hook) : [hook], checkpoint: { path: file }, ...(stopAfterEpochs !== undefined ? { stopAfterEpochs } : {}) });
  } finally {
    model.dispose();
  }
  return hook;
}

function hookStates(f: ModelFile): JsonValue {
  return JSON.parse(f.metadata.hook_states) as JsonValue;
}

function assertSameState(a: ModelFile, b: ModelFile, label: string): void {
  for (const [what, x, y] of [["weights", a.weights, b.weights], ["momentum", a.momentum, b.momentum]] as const) {
    assert.deepEqual([...y.keys()].sort(), [...x.keys()].sort(), `${label}: ${what} names`);
    for (const [k, v] of x) assert.deepEqual(y.get(k)!.data, v.data, `${label}: ${what} '${k}'`);
  }
  assert.ok(a.momentum.size > 0, `${label}: momentum saved`);
  assert.deepEqual([...b.masks.keys()].sort(), [...a.masks.keys()].sort(), `${label}: mask names`);
  for (const [k, v] of a.masks) assert.deepEqual(b.masks.get(k)!.data, v.data, `${label}: mask '${k}'`);
  assert.deepEqual(hookStates(b), hookStates(a), `${label}: hook state`);
  const losses = (f: ModelFile): number[] => (JSON.parse(f.metadata.history) as { loss: number }[]).map((e) => e.loss);
  assert.deepEqual(losses(b), losses(a), `${label}: per-epoch losses`);
}

function masksDiffer(a: ModelFile, b: ModelFile): boolean {
  for (const [k, v] of a.masks) {
    const w = b.masks.get(k)!.data;
    for (let i = 0; i < v.data.length; i++) if (v.data[i] !== w[i]) return true;
  }
  return false;
}

/** Rewrites a checkpoint with one metadata entry replaced (a forged or an old-format checkpoint). */
function rewriteMetadata(src: string, dst: string, key: string, value: string | undefined): void {
  const st = readSafetensors(src);
  const list: [string, TensorToWrite][] = [];
  for (const [name, t] of st.tensors) {
    if (t.dtype === "F32") list.push([name, { dtype: "F32", shape: t.shape, data: toFloat32(t) }]);
    else if (t.dtype === "U8") list.push([name, { dtype: "U8", shape: t.shape, data: t.bytes }]);
    else throw new Error(`unexpected dtype ${t.dtype} of ${name}`);
  }
  const md: Record<string, string> = { ...st.metadata };
  if (value === undefined) delete md[key];
  else md[key] = value;
  writeSafetensors(dst, list, md);
}

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), "snn-dst-resume-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("Rng state: getState/setState continue the stream exactly (including the cached normal); bad states are refused", () => {
  const a = new Rng(11);
  for (let i = 0; i < 5; i++) a.next();
  a.normal(); // leaves a cached second value
  const snap = JSON.parse(JSON.stringify(a.getState())) as ReturnType<Rng["getState"]>;
  const b = Rng.fromState(snap);
  const c = new Rng(999);
  c.setState(snap);
  for (let i = 0; i < 50; i++) {
    const x = a.normal();
    assert.equal(b.normal(), x);
    assert.equal(c.normal(), x);
    assert.equal(b.nextUint32(), c.nextUint32());
    a.nextUint32();
  }
  assert.throws(() => Rng.fromState({ s: [0, 0, 0, 0], spareNormal: null }), /util\/rng: state.s is all zeros/);
  assert.throws(() => Rng.fromState({ s: [1, 2, 3, 2 ** 32], spareNormal: null }), /util\/rng: state.s must be four uint32/);
  assert.throws(() => Rng.fromState({ s: [1, 2, 3, 4], spareNormal: NaN }), /spareNormal/);
});

for (const method of METHODS) {
  test(`${method}: resuming from an epoch checkpoint is bit-identical to the uninterrupted run (weights, masks, momentum, hook state)`, async () => {
    await initBackend("wasm");
    withDir((dir) => {
      const full = path.join(dir, "full.safetensors");
      const part = path.join(dir, "part.safetensors");
      const uninterrupted = run(method, full);
      const fresh = makeHook(method);
      fresh.model.dispose();
      // the hook state really evolves during training, so a fresh one would not do
      const s0 = fresh.hook.saveState() as { rng: JsonValue; updates: readonly JsonValue[] };
      const s1 = uninterrupted.saveState() as { rng: JsonValue; updates: readonly JsonValue[] };
      assert.ok(s1.updates.length >= 2, `${method}: ${s1.updates.length} updates`);
      assert.notDeepEqual(s1.rng, s0.rng, `${method}: the hook's Rng advanced`);

      // resume after epoch 1 and again after epoch 3 (two restarts)
      const first = run(method, part, 1);
      const afterOne = first.saveState() as { updates: readonly { step: number }[] };
      assert.ok(afterOne.updates.length >= 1 && afterOne.updates.length < s1.updates.length, `${method}: the checkpoint falls between updates`);
      run(method, part, 2);
      const resumed = run(method, part);
      // the resumed hook carries the log of the updates made before the checkpoint
      assert.deepEqual(resumed.updates, uninterrupted.updates);
      assertSameState(readModelFile(full), readModelFile(part), method);
    });
  });
}

test("set, itop: resuming with a fresh hook state (what happened before hook states were saved) gives different masks", async () => {
  await initBackend("wasm");
  for (const method of ["set", "itop"]) {
    withDir((dir) => {
      const full = path.join(dir, "full.safetensors");
      const part = path.join(dir, "part.safetensors");
      const forged = path.join(dir, "forged.safetensors");
      run(method, full);
      run(method, part, 1);
      const fresh = makeHook(method);
      fresh.model.dispose();
      rewriteMetadata(part, forged, "hook_states", JSON.stringify([{ kind: fresh.hook.stateKind, state: fresh.hook.saveState() }]));
      run(method, forged);
      assert.ok(masksDiffer(readModelFile(full), readModelFile(forged)), `${method}: a fresh Rng after the checkpoint must change the regrown positions`);
    });
  }
});

test("mismatching or missing hook state is an error naming the checkpoint, never a silent fresh start", async () => {
  await initBackend("wasm");
  withDir((dir) => {
    const rigl = path.join(dir, "rigl.safetensors");
    run("rigl", rigl, 1);
    const resumeWith = (file: string, hooks: readonly TrainHook[], seed = 3): void => {
      const m = buildModel(spec, { seed: 9 });
      try {
        train(m, data, recipe, { seed, hooks, checkpoint: { path: file } });
      } finally {
        m.dispose();
      }
    };
    const hookOf = (method: string, overrides?: Partial<DstConfig>, seed?: number): DstHook => {
      const { model, hook } = makeHook(method, overrides, seed);
      model.dispose();
      return hook;
    };
    const esc = rigl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // another method
    assert.throws(() => resumeWith(rigl, [hookOf("set")]), new RegExp(`checkpoint ${esc} holds the state of hook\\(s\\) 'pruning/dst:rigl', this run has stateful hook\\(s\\) 'pruning/dst:set'`));
    // no hook at all
    assert.throws(() => resumeWith(rigl, []), new RegExp(`checkpoint ${esc} holds the state of hook\\(s\\) 'pruning/dst:rigl', this run has stateful hook\\(s\\) none`));
    // the same method with another configuration or seed
    assert.throws(() => resumeWith(rigl, [hookOf("rigl", { ...OVERRIDES.rigl, pruneRate: 0.2 })]), new RegExp(`checkpoint ${esc}: cannot restore hook 'pruning/dst:rigl': .*different configuration: pruneRate 0.3 \\(this hook: 0.2\\)`));
    assert.throws(() => resumeWith(rigl, [hookOf("rigl", OVERRIDES.rigl, 5)]), new RegExp(`${esc}: .*hook state is from seed 4, this hook has seed 5`));
    // two hooks where one was saved
    assert.throws(() => resumeWith(rigl, [hookOf("rigl"), hookOf("set")]), /holds the state of hook\(s\) 'pruning\/dst:rigl', this run has stateful hook\(s\) 'pruning\/dst:rigl', 'pruning\/dst:set'/);
    // a checkpoint without hook states (the format before they were saved)
    const old = path.join(dir, "old.safetensors");
    rewriteMetadata(rigl, old, "hook_states", undefined);
    assert.throws(() => resumeWith(old, [hookOf("rigl")]), new RegExp(`checkpoint ${old.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} has no hook states`));
    // ... which still resumes a run without stateful hooks
    resumeWith(old, []);
    // a corrupted state
    const bad = path.join(dir, "bad.safetensors");
    rewriteMetadata(rigl, bad, "hook_states", JSON.stringify([{ kind: "pruning/dst:rigl", state: { version: 1, method: "rigl", seed: 4, config: hookOf("rigl").config, rng: { s: [1, 2, 3], spareNormal: null }, updates: [] } }]));
    assert.throws(() => resumeWith(bad, [hookOf("rigl")]), /bad\.safetensors: cannot restore hook 'pruning\/dst:rigl': pruning\/rigl: hook state rng: util\/rng: state.s must be four uint32/);
    // a checkpoint of a hook-free run refuses a DST hook
    const plain = path.join(dir, "plain.safetensors");
    {
      const m = buildModel(spec, { seed: 9 });
      train(m, data, recipe, { seed: 3, checkpoint: { path: plain }, stopAfterEpochs: 1 });
      m.dispose();
    }
    assert.throws(() => resumeWith(plain, [hookOf("set")]), /plain\.safetensors holds the state of hook\(s\) none, this run has stateful hook\(s\) 'pruning\/dst:set'/);
  });
});

test("checkTrainHooks: stateless hooks pass, a partial checkpointing implementation is refused", () => {
  const stateless: TrainHook = { afterStep: () => false };
  assert.deepEqual(checkTrainHooks([stateless]), []);
  const partial: TrainHook = { stateKind: "x", saveState: () => null };
  assert.throws(() => checkTrainHooks([stateless, partial]), /train\/hooks: hook #1 \('x'\) must implement all of stateKind, saveState and restoreState, or none \(has stateKind, saveState\)/);
  const full: TrainHook = { stateKind: "x", saveState: () => 1, restoreState: () => {} };
  assert.equal(checkTrainHooks([stateless, full]).length, 1);
});
