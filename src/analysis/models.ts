/**
 * The pinned protocol and cross-validated XGBoost fits shared by the experiments and the CLI.
 *
 * Protocol (issue #4; the paper's own settings were not found, reference-notes §5.1):
 * - classification: 16 MGE metrics, 5-fold stratified CV with seed 0, XGBoost 200 trees, depth 6,
 *   learning rate 0.1, tree_method hist, objective multi:softprob;
 * - regression: 5-fold CV with seed 0, 300 trees, depth 6, learning rate 0.05, tree_method hist,
 *   objective reg:squarederror.
 * nthread = 1 and the seed make every fit reproducible.
 */
import { trainXgb, predictXgb, takeRows, type Matrix, type XgbParams, type Booster } from "./xgboost";
import { foldsFromIds } from "./cv";

export interface BoostProtocol {
  folds: number;
  seed: number;
  rounds: number;
  params: XgbParams;
}

export const CLASSIFY_PROTOCOL: Readonly<BoostProtocol> = Object.freeze({
  folds: 5,
  seed: 0,
  rounds: 200,
  params: Object.freeze({ max_depth: 6, eta: 0.1, tree_method: "hist", nthread: 1 }),
});

export const REGRESS_PROTOCOL: Readonly<BoostProtocol> = Object.freeze({
  folds: 5,
  seed: 0,
  rounds: 300,
  params: Object.freeze({ max_depth: 6, eta: 0.05, tree_method: "hist", nthread: 1 }),
});

/** Column-stacks named numeric columns into a row-major matrix (NaN kept: XGBoost treats it as missing). */
export function columnsToMatrix(columns: ArrayLike<number>[]): Matrix {
  const p = columns.length;
  if (p === 0) throw new Error("analysis/models: no feature columns");
  const n = columns[0].length;
  const data = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    const c = columns[j];
    if (c.length !== n) throw new Error(`analysis/models: feature column ${j} has ${c.length} rows, column 0 has ${n}`);
    for (let i = 0; i < n; i++) data[i * p + j] = c[i];
  }
  return { data, rows: n, cols: p };
}

/** Encodes string labels as 0..k−1 in sorted order. */
export function encodeLabels(values: string[]): { codes: Int32Array; classes: string[] } {
  const classes = [...new Set(values)].sort();
  const pos = new Map(classes.map((c, i) => [c, i]));
  return { codes: Int32Array.from(values, (v) => pos.get(v)!), classes };
}

/** Trains a multi-class classifier (multi:softprob) on rows `idx`. */
export function fitClassifier(x: Matrix, y: ArrayLike<number>, numClasses: number, protocol: BoostProtocol, seed = protocol.seed): Booster {
  return trainXgb({ ...protocol.params, objective: "multi:softprob", num_class: numClasses, seed }, x, y, protocol.rounds);
}

export function fitRegressor(x: Matrix, y: ArrayLike<number>, protocol: BoostProtocol, seed = protocol.seed): Booster {
  return trainXgb({ ...protocol.params, objective: "reg:squarederror", seed }, x, y, protocol.rounds);
}

function checkIds(foldIds: ArrayLike<number>, n: number): void {
  if (foldIds.length !== n) throw new Error(`analysis/models: ${foldIds.length} fold ids for ${n} rows`);
}

/** Out-of-fold class predictions (argmax of the probabilities) and probabilities (n × k). */
export function cvClassify(
  x: Matrix,
  y: ArrayLike<number>,
  numClasses: number,
  foldIds: ArrayLike<number>,
  protocol: BoostProtocol = CLASSIFY_PROTOCOL,
): { pred: Int32Array; proba: Float64Array } {
  checkIds(foldIds, x.rows);
  const pred = new Int32Array(x.rows);
  const proba = new Float64Array(x.rows * numClasses);
  for (const fold of foldsFromIds(foldIds)) {
    const yTrain = Float64Array.from(fold.train, (i) => y[i]);
    const b = fitClassifier(takeRows(x, fold.train), yTrain, numClasses, protocol);
    try {
      const p = predictXgb(b, takeRows(x, fold.test));
      for (let t = 0; t < fold.test.length; t++) {
        const i = fold.test[t];
        let best = 0;
        for (let c = 0; c < numClasses; c++) {
          proba[i * numClasses + c] = p[t * numClasses + c];
          if (p[t * numClasses + c] > p[t * numClasses + best]) best = c;
        }
        pred[i] = best;
      }
    } finally {
      b.dispose();
    }
  }
  return { pred, proba };
}

/** Out-of-fold regression predictions. */
export function cvRegress(x: Matrix, y: ArrayLike<number>, foldIds: ArrayLike<number>, protocol: BoostProtocol = REGRESS_PROTOCOL): Float64Array {
  checkIds(foldIds, x.rows);
  const pred = new Float64Array(x.rows);
  for (const fold of foldsFromIds(foldIds)) {
    const yTrain = Float64Array.from(fold.train, (i) => y[i]);
    const b = fitRegressor(takeRows(x, fold.train), yTrain, protocol);
    try {
      const p = predictXgb(b, takeRows(x, fold.test));
      for (let t = 0; t < fold.test.length; t++) pred[fold.test[t]] = p[t];
    } finally {
      b.dispose();
    }
  }
  return pred;
}
