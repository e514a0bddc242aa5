import test from "node:test";
import assert from "node:assert/strict";
import {
  accuracy,
  balancedAccuracy,
  macroF1,
  confusionMatrix,
  r2,
  mae,
  rmse,
  spearman,
  kendallTau,
  averageRanks,
} from "../../src/analysis/scores";

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

// Hand-computed example: classes 0,1,2; class 0 has one miss (predicted 1).
const yt = [0, 0, 1, 1, 1, 2];
const yp = [0, 1, 1, 1, 1, 2];

test("confusion matrix counts (true row, predicted column)", () => {
  assert.deepEqual(confusionMatrix(yt, yp), [
    [1, 1, 0],
    [0, 3, 0],
    [0, 0, 1],
  ]);
  assert.deepEqual(confusionMatrix([0], [0], 3), [
    [1, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ]);
});

test("accuracy, balanced accuracy and macro F1 by hand", () => {
  close(accuracy(yt, yp), 5 / 6);
  // recalls 1/2, 3/3, 1/1
  close(balancedAccuracy(yt, yp), (0.5 + 1 + 1) / 3);
  // F1: class 0 = 2·1/(2+1) = 2/3; class 1 = 2·3/(3+4) = 6/7; class 2 = 1
  close(macroF1(yt, yp), (2 / 3 + 6 / 7 + 1) / 3);
});

test("balanced accuracy differs from accuracy on imbalanced classes", () => {
  // 9 of class 0 all right, 1 of class 1 wrong: accuracy 0.9, balanced 0.5
  const t = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const p = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  close(accuracy(t, p), 0.9);
  close(balancedAccuracy(t, p), 0.5);
  // class 1 has F1 0 (no true positive): macro F1 = (2·9/(10+9) + 0)/2
  close(macroF1(t, p), (18 / 19) / 2);
});

test("macro F1 counts a class that is only predicted (sklearn union of labels)", () => {
  // class 2 never true but predicted once: its F1 is 0 and it enters the mean
  close(macroF1([0, 1], [0, 2]), (1 + 0 + 0) / 3);
});

test("R², MAE, RMSE by hand", () => {
  const t = [1, 2, 3, 4];
  const p = [1, 3, 2, 4];
  close(r2(t, p), 1 - 2 / 5);
  close(mae(t, p), 0.5);
  close(rmse(t, p), Math.sqrt(0.5));
  assert.throws(() => r2([1, 1], [1, 2]), /constant/);
  assert.throws(() => mae([1, 2], [1]), /2 values, y_pred 1/);
  assert.throws(() => rmse([1, NaN], [1, 2]), /y_true\[1\] is NaN/);
});

test("Spearman and Kendall without ties", () => {
  const a = [1, 2, 3, 4];
  const b = [1, 3, 2, 4];
  close(spearman(a, b), 1 - (6 * 2) / (4 * 15));
  close(kendallTau(a, b), (5 - 1) / 6);
  close(kendallTau(a, [4, 3, 2, 1]), -1);
});

test("average ranks, Spearman and Kendall τ-b with ties", () => {
  assert.deepEqual(Array.from(averageRanks([10, 20, 20, 30])), [1, 2.5, 2.5, 4]);
  const a = [1, 2, 2, 3];
  const b = [1, 2, 3, 3];
  // ranks a: 1,2.5,2.5,4; b: 1,2,3.5,3.5 → Pearson = 3.75/4.5
  close(spearman(a, b), 3.75 / 4.5);
  // C = 4, D = 0, one tie in each: τ_b = 4/√(5·5)
  close(kendallTau(a, b), 0.8);
  assert.ok(Number.isNaN(kendallTau([1, 1, 1], [1, 2, 3])));
});
