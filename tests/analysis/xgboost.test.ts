import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Booster, DMatrix, trainXgb, predictXgb, shapXgb, xgboostVersion, type Matrix } from "../../src/analysis/xgboost";
import { r2 } from "../../src/analysis/scores";
import { Rng } from "../../src/util/rng";
import { tempDir } from "../temp";

// Synthetic data with a known structure: y = 2·x0 + x1² + noise; x2 is pure noise; x3 has 10 % missing.
function synthetic(n: number, seed: number): { x: Matrix; y: Float64Array } {
  const rng = new Rng(seed);
  const p = 4;
  const data = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) data[i * p + j] = rng.normal();
    if (i % 10 === 0) data[i * p + 3] = NaN;
    y[i] = 2 * data[i * p] + data[i * p + 1] ** 2 + 0.1 * rng.normal();
  }
  return { x: { data, rows: n, cols: p }, y };
}

const REG = { objective: "reg:squarederror", max_depth: 4, eta: 0.1 };

test("loads libxgboost 1.x and hands the matrix over with its shape", () => {
  assert.match(xgboostVersion(), /^\d+\.\d+\.\d+$/);
  const { x, y } = synthetic(50, 1);
  const d = new DMatrix(x, y);
  assert.deepEqual(d.shape(), [50, 4]);
  d.dispose();
  assert.throws(() => d.shape(), /after dispose/);
});

test("learns a known function (held-out R² > 0.9) and is reproducible with a seed", () => {
  const tr = synthetic(800, 2);
  const te = synthetic(300, 3);
  const b = trainXgb(REG, tr.x, tr.y, 150);
  const p = predictXgb(b, te.x);
  assert.ok(r2(te.y, p) > 0.9, `R² ${r2(te.y, p)}`);
  const b2 = trainXgb(REG, tr.x, tr.y, 150);
  assert.deepEqual(predictXgb(b2, te.x), p);
  assert.equal(b.boostedRounds(), 150);
  b.dispose();
  b2.dispose();
});

test("TreeSHAP contributions of each row sum to the raw prediction (regression, 1e-4)", () => {
  const { x, y } = synthetic(300, 4);
  const b = trainXgb(REG, x, y, 80);
  const margin = predictXgb(b, x, true);
  const c = shapXgb(b, x);
  assert.equal(c.length, x.rows * (x.cols + 1));
  let maxErr = 0;
  for (let i = 0; i < x.rows; i++) {
    let s = 0;
    for (let j = 0; j <= x.cols; j++) s += c[i * (x.cols + 1) + j];
    maxErr = Math.max(maxErr, Math.abs(s - margin[i]));
  }
  assert.ok(maxErr < 1e-4, `max |Σ SHAP − margin| = ${maxErr}`);
  // The noise feature x2 gets far less attribution than x0.
  let a0 = 0;
  let a2 = 0;
  for (let i = 0; i < x.rows; i++) {
    a0 += Math.abs(c[i * 5]);
    a2 += Math.abs(c[i * 5 + 2]);
  }
  assert.ok(a0 > 10 * a2, `mean|SHAP| x0 ${a0} vs noise ${a2}`);
  b.dispose();
});

test("TreeSHAP sums to the per-class margins for multi:softprob", () => {
  const { x, y } = synthetic(300, 5);
  const cls = Float64Array.from(y, (v) => (v < 0 ? 0 : v < 2 ? 1 : 2));
  const b = trainXgb({ objective: "multi:softprob", num_class: 3, max_depth: 3, eta: 0.3 }, x, cls, 30);
  const margin = predictXgb(b, x, true); // n × 3
  const c = shapXgb(b, x); // n × 3 × (p + 1)
  assert.equal(c.length, x.rows * 3 * (x.cols + 1));
  let maxErr = 0;
  for (let i = 0; i < x.rows; i++) {
    for (let k = 0; k < 3; k++) {
      let s = 0;
      for (let j = 0; j <= x.cols; j++) s += c[(i * 3 + k) * (x.cols + 1) + j];
      maxErr = Math.max(maxErr, Math.abs(s - margin[i * 3 + k]));
    }
  }
  assert.ok(maxErr < 1e-4, `max error ${maxErr}`);
  const prob = predictXgb(b, x);
  for (let i = 0; i < 5; i++) close1(prob[i * 3] + prob[i * 3 + 1] + prob[i * 3 + 2]);
  b.dispose();
});

function close1(v: number): void {
  assert.ok(Math.abs(v - 1) < 1e-5, `${v}`);
}

test("gain importance ranks the informative features above the noise feature", () => {
  const { x, y } = synthetic(600, 6);
  const b = trainXgb(REG, x, y, 60);
  const g = b.featureImportance("gain");
  assert.equal(g.length, 4);
  assert.ok(g[0] > g[2] && g[1] > g[2], `gain ${Array.from(g)}`);
  const w = b.featureImportance("weight");
  assert.ok(w.every((v) => Number.isInteger(v) && v >= 0));
  b.dispose();
});

test("save/load as JSON gives identical predictions", () => {
  const { x, y } = synthetic(200, 7);
  const b = trainXgb(REG, x, y, 40);
  const file = path.join(tempDir("xgb-"), "m.json");
  b.save(file);
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as { learner: { gradient_booster: { model: { trees: unknown[] } } } };
  assert.equal(json.learner.gradient_booster.model.trees.length, 40);
  const b2 = Booster.load(file);
  assert.deepEqual(predictXgb(b2, x), predictXgb(b, x));
  assert.deepEqual(shapXgb(b2, x), shapXgb(b, x));
  assert.equal(b2.numFeatures, 4);
  b.dispose();
  b2.dispose();
});

test("library errors surface with XGBGetLastError's message", () => {
  const { x, y } = synthetic(50, 8);
  assert.throws(() => trainXgb({ objective: "no-such-objective" }, x, y, 2), /analysis\/xgboost: .*failed: .*no-such-objective/s);
  assert.throws(() => trainXgb({ max_depth: -2 }, x, y, 2), /analysis\/xgboost: .*failed: .*max_depth/s);
  assert.throws(() => new DMatrix(x, y.subarray(0, 10)), /label has 10 values for 50 rows/);
  const bad = { data: Float64Array.from(x.data), rows: x.rows, cols: x.cols };
  bad.data[5] = Infinity;
  assert.throws(() => new DMatrix(bad), /infinite feature value at row 1, column 1/);
});

test("a missing library is an error that says how to install it", () => {
  const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", 'require("./src/analysis/xgboost").xgboostVersion()'], {
    cwd: path.resolve(__dirname, "..", ".."),
    env: { ...process.env, SNN_XGBOOST_LIB: "/nonexistent/libxgboost.so" },
    encoding: "utf8",
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /XGBoost shared library was not found \(looked in \/nonexistent\/libxgboost\.so\)/);
  assert.match(r.stderr, /apt-get install libxgboost0/);
  assert.match(r.stderr, /brew install xgboost/);
  assert.match(r.stderr, /conda install/);
});
