import test from "node:test";
import assert from "node:assert/strict";
import { classifyPruner, regressDrop, shapImportance, rankPaI } from "../../src/analysis/experiments";
import { MGE_METRICS, PAPER_PRUNERS, prunerCategory, type NetTable } from "../../src/analysis/data";
import { Rng } from "../../src/util/rng";

const FAST = { folds: 3, seed: 0, rounds: 30, params: { max_depth: 3, eta: 0.3, tree_method: "hist", nthread: 1 } };

/**
 * A synthetic table whose structure is known: metric 0 encodes the algorithm exactly, metric 1
 * equals the accuracy drop, the other metrics are noise.
 */
function synthetic(): NetTable {
  const rng = new Rng(11);
  const algs: string[] = [...PAPER_PRUNERS];
  const models = ["A", "B"];
  const sps = [0.8, 0.9, 0.95];
  const rows: { m: string; a: string; s: number; seed: number }[] = [];
  for (const m of models) for (const a of algs) for (const s of sps) for (let seed = 0; seed < 3; seed++) rows.push({ m, a, s, seed });
  const n = rows.length;
  const num: Record<string, Float64Array> = {};
  for (const name of MGE_METRICS) num[name] = Float64Array.from(rows, () => rng.normal());
  const drop = Float64Array.from(rows, (r) => r.s * 0.2 + 0.01 * algs.indexOf(r.a) + 0.001 * rng.normal());
  num[MGE_METRICS[0]] = Float64Array.from(rows, (r) => algs.indexOf(r.a));
  num[MGE_METRICS[1]] = Float64Array.from(drop);
  return {
    n,
    model: rows.map((r) => r.m),
    dataset: rows.map(() => "D"),
    pruning: rows.map((r) => r.a),
    category: rows.map((r) => prunerCategory(r.a)),
    sparsity: Float64Array.from(rows, (r) => r.s),
    seed: Float64Array.from(rows, (r) => r.seed),
    accuracy: Float64Array.from(drop, (d) => 0.9 - d),
    denseAccuracy: new Float64Array(n).fill(NaN),
    accuracyDrop: drop,
    dropSource: "best run of same model and dataset",
    num,
    source: "synthetic",
  };
}

test("classification recovers an algorithm encoded in one metric; tidy rows per fold/sparsity/model", () => {
  const t = synthetic();
  const r = classifyPruner(t, "algorithm", "mge", { protocol: FAST });
  const ba = r.scores.find((s) => s.groupBy === "all" && s.metric === "balanced_accuracy")!;
  assert.equal(ba.value, 1);
  assert.equal(ba.n, t.n);
  assert.equal(r.classes.length, 11);
  assert.equal(r.scores.filter((s) => s.groupBy === "fold").length, 3 * 3);
  assert.deepEqual([...new Set(r.scores.filter((s) => s.groupBy === "sparsity").map((s) => s.group))], ["0.8", "0.9", "0.95"]);
  const cat = classifyPruner(t, "category", "mge", { protocol: FAST });
  assert.deepEqual(cat.classes, ["DST", "PaI", "random"]);
  assert.equal(cat.confusion.flat().reduce((a, b) => a + b, 0), t.n);
});

test("regression: the informative metric set beats the density baseline; SHAP puts it first", () => {
  const t = synthetic();
  const r = regressDrop(t, ["mge", "density"], { protocol: FAST });
  const get = (f: string) => r.scores.find((s) => s.features === f && s.groupBy === "all" && s.metric === "r2")!.value;
  assert.ok(get("mge") > 0.9, `mge R² ${get("mge")}`);
  assert.ok(get("mge") > get("density"));
  assert.equal(r.predictions.mge.length, t.n);
  const s = shapImportance(t, "mge", { protocol: FAST });
  const all = s.rows.filter((x) => x.groupBy === "all").sort((a, b) => b.meanAbsShap - a.meanAbsShap);
  assert.equal(all[0].feature, MGE_METRICS[1]);
  assert.equal(s.shap.length, t.n * 16);
});

test("ranking: τ = 1 in most cells when the drop is a feature", () => {
  const t = synthetic();
  const r = rankPaI(t, ["mge"], { protocol: { ...FAST, rounds: 60 } });
  assert.equal(r.rows.length, 2 * 3);
  for (const row of r.rows) assert.equal(row.nAlgorithms, 7);
  assert.ok(r.summary[0].meanKendallTau > 0.8, `mean τ ${r.summary[0].meanKendallTau}`);
});

test("leave-one-architecture-out regression: no architecture in its own training folds", () => {
  const t = synthetic();
  const r = regressDrop(t, ["mge"], { protocol: FAST, groupBy: "model" });
  const folds = new Map<string, number>();
  for (let i = 0; i < t.n; i++) {
    const f = folds.get(t.model[i]);
    if (f !== undefined) assert.equal(f, r.foldIds[i]);
    folds.set(t.model[i], r.foldIds[i]);
  }
  assert.equal(new Set(r.foldIds).size, 2);
});

test("SHAP refitted per group: each group's importances come from its own model", () => {
  const t = synthetic();
  const global = shapImportance(t, "mge", { protocol: FAST });
  const refit = shapImportance(t, "mge", { protocol: FAST, refitPerGroup: true });
  const pick = (r: typeof global, g: string) => r.rows.filter((x) => x.groupBy === "sparsity" && x.group === g).map((x) => x.meanAbsShap);
  // overall rows are identical, group rows differ (other models)
  assert.deepEqual(refit.rows.filter((x) => x.groupBy === "all"), global.rows.filter((x) => x.groupBy === "all"));
  assert.notDeepEqual(pick(refit, "0.9"), pick(global, "0.9"));
  // within one sparsity the drop depends on the algorithm only, i.e. on metric 0 and metric 1 (= drop)
  const within = refit.rows.filter((x) => x.groupBy === "sparsity" && x.group === "0.9").sort((a, b) => b.meanAbsShap - a.meanAbsShap);
  assert.ok(([MGE_METRICS[0], MGE_METRICS[1]] as string[]).includes(within[0].feature), within[0].feature);
});
