/**
 * BatchNorm's running statistics, updated as PyTorch does in training mode:
 * running = (1 − momentum)·running + momentum·batch, with the unbiased batch variance
 * (biased · M/(M − 1), M values per channel).
 *
 * On the host, not as tfjs ops: the vectors hold one float per channel, and the six kernels the
 * update takes per layer cost more in dispatch than the arithmetic (28–65 µs against 5–16 µs per
 * layer measured; 21 layers in a ResNet-20 step, 52 in MobileNetV2's). The floats are tfjs's: each
 * float32 product and sum is exact in double and rounded once by Math.fround, as wasm's and cpu's
 * float32 multiply and add round them.
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Updates `running_mean` and `running_var` in place from a batch's mean and biased variance.
 * @example updateRunningStats(rm, rv, mean, variance, 128 * 32 * 32, 0.1)
 * @throws when the vectors' lengths differ or M < 2 (no unbiased variance).
 */
export function updateRunningStats(runningMean: tf.Variable, runningVar: tf.Variable, mean: tf.Tensor, variance: tf.Tensor, M: number, momentum: number): void {
  const C = runningMean.size;
  if (runningVar.size !== C || mean.size !== C || variance.size !== C) {
    throw new Error(`nn/running-stats: running mean [${runningMean.shape}], running variance [${runningVar.shape}], batch mean [${mean.shape}] and variance [${variance.shape}] must have one length`);
  }
  if (!(M >= 2)) throw new Error(`nn/running-stats: the unbiased variance needs at least 2 values per channel, got ${M}`);
  const keep = Math.fround(1 - momentum);
  const take = Math.fround(momentum);
  const takeVar = Math.fround((momentum * M) / (M - 1));
  const rm = runningMean.dataSync();
  const rv = runningVar.dataSync();
  const m = mean.dataSync();
  const v = variance.dataSync();
  const nm = new Float32Array(C);
  const nv = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    nm[c] = Math.fround(rm[c] * keep) + Math.fround(m[c] * take);
    nv[c] = Math.fround(rv[c] * keep) + Math.fround(v[c] * takeVar);
  }
  tf.tidy(() => {
    runningMean.assign(tf.tensor(nm, runningMean.shape));
    runningVar.assign(tf.tensor(nv, runningVar.shape));
  });
}
