import test from "node:test";
import assert from "node:assert/strict";
import {
  confusionFigure,
  scoreBarsFigure,
  predictedVsTrueFigure,
  shapBarFigure,
  shapHeatmapFigure,
  shapBeeswarmFigure,
  rankingFigure,
  scatterFigure,
  type FigureSpec,
} from "../../src/analysis/figures";
import type { ScoreRow, ShapRow, RankRow, ShapResult } from "../../src/analysis/experiments";

interface Layout {
  title?: { text?: string };
  xaxis?: { title?: { text?: string } };
  yaxis?: { title?: { text?: string } };
}

function assertLabelled(f: FigureSpec): void {
  const l = f.layout as Layout;
  assert.ok(l.title?.text && l.title.text.length > 0, "figure without title");
  assert.ok(l.xaxis?.title?.text, `${l.title?.text}: x axis without title`);
  assert.ok(l.yaxis?.title?.text, `${l.title?.text}: y axis without title`);
  assert.ok(f.data.length > 0);
}

test("every figure has a title and labelled axes; data follow the inputs", () => {
  const conf = confusionFigure([[3, 1], [0, 4]], ["a", "b"], "C");
  assertLabelled(conf);
  // rows normalised to recall
  assert.deepEqual((conf.data[0] as { z: number[][] }).z, [[0.75, 0.25], [0, 1]]);
  const scores: ScoreRow[] = [
    { task: "t", features: "mge", groupBy: "sparsity", group: "0.9", metric: "r2", value: 0.5, n: 10 },
    { task: "t", features: "density", groupBy: "sparsity", group: "0.9", metric: "r2", value: 0.3, n: 10 },
  ];
  const bars = scoreBarsFigure(scores, "r2", "sparsity", "R", "R²");
  assertLabelled(bars);
  assert.deepEqual(bars.data.map((d) => (d as { y: number[] }).y), [[0.5], [0.3]]);
  assertLabelled(predictedVsTrueFigure([0, 1], [0.1, 0.9], ["x", "y"], "P", "drop"));
  const shapRows: ShapRow[] = [
    { features: "mge", groupBy: "all", group: "all", feature: "f0", meanAbsShap: 2, n: 3 },
    { features: "mge", groupBy: "all", group: "all", feature: "f1", meanAbsShap: 1, n: 3 },
    { features: "mge", groupBy: "sparsity", group: "0.9", feature: "f0", meanAbsShap: 2, n: 3 },
    { features: "mge", groupBy: "sparsity", group: "0.9", feature: "f1", meanAbsShap: 1, n: 3 },
  ];
  const sb = shapBarFigure(shapRows, "S", "drop");
  assertLabelled(sb);
  assert.deepEqual((sb.data[0] as { y: string[] }).y, ["f1", "f0"]); // most important drawn on top
  assertLabelled(shapHeatmapFigure(shapRows, "sparsity", "H", "drop"));
  const s: ShapResult = { rows: shapRows, names: ["f0", "f1"], shap: Float64Array.from([1, -1, 2, 0, 3, 1]), values: Float64Array.from([1, 2, 3, 4, 5, NaN]), bias: new Float64Array(3) };
  const bee = shapBeeswarmFigure(s, "B", "drop");
  assertLabelled(bee);
  assert.equal((bee.data[0] as { x: number[] }).x.length, 6);
  const rank: RankRow[] = [{ features: "mge", model: "m", dataset: "d", sparsity: 0.9, nAlgorithms: 7, kendallTau: 0.5, trueOrder: "", predictedOrder: "" }];
  assertLabelled(rankingFigure(rank, "sparsity", "K"));
  const sc = scatterFigure([0, 1, 2, Infinity], [1, 2, 3, 4], ["a", "a", "b", "b"], "X", "x", "y");
  assertLabelled(sc);
  // the non-finite point is not drawn
  assert.equal(sc.data.reduce((n, d) => n + (d as { x: number[] }).x.length, 0), 3);
});
