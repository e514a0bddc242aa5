import * as tf from "@tensorflow/tfjs";
import type { SparseModel } from "../nn/model-api";
import type { JsonValue, TrainHook, TrainStepContext } from "../train/hooks";
import { checkRngState, Rng } from "../util/rng";
import { pruneEr } from "./er";
import { pruneErk } from "./erk";
import { allocate, chooseSubset, selectGlobal } from "./scores";
import { pruneUniform } from "./uniform";
import { checkSeed, checkSparsity, type DensityReport, type LayerDensity, type PrunableLayer, type PruneResult } from "./types";

/**
 * Dynamic sparse training (DST) engine shared by SET, RigL, SNFS, DSR and ITOP (one file each
 * holds its defaults and sources). A DST method is an initial random mask plus a training hook
 * (src/train/hooks.ts) that every ΔT optimiser steps removes a fraction of the active weights and
 * regrows the same number elsewhere:
 *
 * 1. rate r(t): `none` keeps r₀; `cosine` is r(t) = r_min + (r₀ − r_min)·(1 + cos(π·t/T))/2 with
 *    T = the step where updates stop (PyTorch CosineAnnealingLR as in sparselearning's CosineDecay,
 *    r_min = etaMin; RigL's schedule is the same with r_min = 0).
 * 2. prune: `magnitude` removes ⌈r·nnz_l⌉ of each layer's active weights with the smallest |w|
 *    (sparselearning `magnitude_prune`, RigL's drop); `global-magnitude` removes ⌈r·nnz⌉ of all
 *    active weights with the smallest |w| across layers (DSR; the reference searches a threshold to
 *    ±2 % of that count, here the count is exact).
 * 3. redistribute the removed count over layers: `none` gives each layer back what it lost;
 *    `momentum` in proportion to the mean |momentum| of the layer's active weights (SNFS);
 *    `nonzero` in proportion to the layer's active weights after pruning (DSR). Integer shares by
 *    largest remainder, capped at each layer's free slots, so Σ grown = Σ removed exactly.
 * 4. grow: `random` at uniformly random inactive positions (SET, DSR, ITOP); `gradient` at the
 *    inactive positions with the largest |∂L/∂(w⊙m)| (RigL, from ctx.denseGrads); `momentum` at
 *    those with the largest |momentum buffer| (SNFS). Just-removed positions may be regrown.
 *    Grown weights start at exactly 0 (RigL; sparselearning's growth leaves them at 0 too).
 *
 * The number of nonzero mask entries is therefore the same after every update. Ties in every
 * selection are broken at random from the seed. The momentum buffers of regrown positions are not
 * reset (the hook sees them read-only); the training loop masks them while a weight is inactive.
 *
 * Checkpoints. Which steps update and at what rate are functions of the global step only; what
 * else the hook carries from step to step is its Rng (ties, random growth) and its update log.
 * `saveState()` returns both (with the method, seed and configuration they belong to) and
 * `restoreState()` continues from them, so a run resumed from an epoch checkpoint by the training
 * loop is bit-identical to the uninterrupted one.
 */
export type DstInit = "erk" | "uniform" | "er";
export type DstPrune = "magnitude" | "global-magnitude";
export type DstGrowth = "random" | "gradient" | "momentum";
export type DstRedistribution = "none" | "momentum" | "nonzero";

export interface DstConfig {
  /** Sparse initialisation. */
  init: DstInit;
  /** r₀: fraction of active weights removed per update. */
  pruneRate: number;
  decay: "cosine" | "none";
  /** Floor of the cosine schedule. */
  etaMin: number;
  /** ΔT: steps between updates; "epoch" = once per epoch. */
  updateEvery: number | "epoch";
  /** Updates stop after this fraction of the total steps (RigL: 0.75). */
  stopFraction: number;
  prune: DstPrune;
  growth: DstGrowth;
  redistribution: DstRedistribution;
}

export interface DstOptions extends Partial<DstConfig> {
  seed: number;
}

export interface DstUpdate {
  readonly step: number;
  readonly rate: number;
  readonly removed: number;
  readonly grown: number;
  readonly nonzeros: number;
}

/** Initial masks of a DST method (its `init` at the requested sparsity). */
export function dstInitialMasks(method: string, layers: readonly PrunableLayer[], sparsity: number, config: DstConfig, seed: number): PruneResult {
  const r = config.init === "erk" ? pruneErk(layers, sparsity, { seed }) : config.init === "er" ? pruneEr(layers, sparsity, { seed }) : pruneUniform(layers, sparsity, { seed });
  return { ...r, method, info: { ...r.info, init: config.init } };
}

/** The prune/regrow training hook. `report()` counts the model's current masks. */
export class DstHook implements TrainHook {
  readonly method: string;
  readonly config: DstConfig;
  readonly seed: number;
  /** Checkpoint kind (src/train/hooks.ts): one per method. */
  readonly stateKind: string;
  readonly updates: DstUpdate[] = [];
  private readonly rng: Rng;
  private model: SparseModel | null = null;

  constructor(method: string, config: DstConfig, seed: number) {
    checkConfig(method, config);
    checkSeed(`pruning/${method}`, seed);
    this.method = method;
    this.config = config;
    this.seed = seed;
    this.stateKind = `pruning/dst:${method}`;
    // a stream separate from the initial mask's, so changing ΔT does not change the initial mask
    this.rng = new Rng(seed).fork();
  }

  /** Prune rate at step t (0-based) of a run of `total` steps. */
  rateAt(step: number, total: number): number {
    const c = this.config;
    if (c.decay === "none") return c.pruneRate;
    const T = Math.max(1, Math.floor(total * c.stopFraction));
    const t = Math.min(step, T);
    return c.etaMin + ((c.pruneRate - c.etaMin) * (1 + Math.cos((Math.PI * t) / T))) / 2;
  }

  /** Whether an update runs after step `step` (0-based). */
  isUpdateStep(step: number, stepsPerEpoch: number, totalSteps: number): boolean {
    const every = this.config.updateEvery === "epoch" ? stepsPerEpoch : this.config.updateEvery;
    if (!(every >= 1)) return false;
    const done = step + 1;
    return done % every === 0 && done < totalSteps * this.config.stopFraction;
  }

  afterStep(ctx: TrainStepContext): boolean {
    this.model = ctx.model;
    if (!this.isUpdateStep(ctx.step, ctx.stepsPerEpoch, ctx.totalSteps)) return false;
    this.update(ctx.model, this.rateAt(ctx.step, ctx.totalSteps), ctx.step, ctx.denseGrads, ctx.momentum);
    return true;
  }

  /** One prune/regrow update at rate `rate` (exposed for tests and custom loops). */
  update(model: SparseModel, rate: number, step: number, denseGrads?: ReadonlyMap<string, tf.Tensor>, momentum?: ReadonlyMap<string, tf.Tensor>): DstUpdate {
    const module = `pruning/${this.method}`;
    this.model = model;
    const c = this.config;
    const names = model.prunable;
    const L = names.length;
    const masks: Uint8Array[] = [];
    const mag: Float32Array[] = [];
    for (const n of names) {
      const m = model.masks.get(n);
      if (!m) throw new Error(`${module}: model has no mask for '${n}'`);
      const md = m.dataSync();
      const u = new Uint8Array(md.length);
      for (let i = 0; i < md.length; i++) u[i] = md[i] !== 0 ? 1 : 0;
      masks.push(u);
      mag.push(tf.tidy(() => tf.abs(model.params.get(n)!).dataSync() as Float32Array));
    }
    const growSource = c.growth === "gradient" ? denseGrads : c.growth === "momentum" ? momentum : undefined;
    if (c.growth !== "random" && !growSource) throw new Error(`${module}: growth '${c.growth}' needs ${c.growth === "gradient" ? "ctx.denseGrads" : "ctx.momentum"}, which the training loop did not provide`);
    const needMomentum = c.redistribution === "momentum";
    if (needMomentum && !momentum) throw new Error(`${module}: momentum redistribution needs ctx.momentum`);

    const nnzBefore = masks.map(countOnes);
    const active0 = masks.map((m) => m.slice());
    const dropped: Uint8Array[] = masks.map((m) => new Uint8Array(m.length));
    // 1. prune: choose the active weights to remove (scores: |w| for active, +∞ for inactive)
    const removed = new Array<number>(L).fill(0);
    const scoreArr = masks.map((m, l) => {
      const s = new Float32Array(m.length);
      const w = mag[l];
      for (let i = 0; i < m.length; i++) s[i] = m[i] ? w[i] : Infinity;
      return s;
    });
    if (c.prune === "global-magnitude") {
      let nnz = 0;
      for (const v of nnzBefore) nnz += v;
      const k = Math.min(nnz, Math.ceil(rate * nnz));
      const drop = selectGlobal(scoreArr, k, this.rng, "smallest", module);
      for (let l = 0; l < L; l++) {
        removed[l] = applyDrop(masks[l], drop[l]);
        dropped[l] = drop[l];
      }
    } else {
      for (let l = 0; l < L; l++) {
        const k = Math.min(nnzBefore[l], Math.ceil(rate * nnzBefore[l]));
        const [drop] = selectGlobal([scoreArr[l]], k, this.rng, "smallest", module);
        removed[l] = applyDrop(masks[l], drop);
        dropped[l] = drop;
      }
    }
    let totalRemoved = 0;
    for (const v of removed) totalRemoved += v;

    // 2. how many to grow per layer
    const free = masks.map((m) => m.length - countOnes(m));
    let grow: number[];
    if (c.redistribution === "none") grow = removed.slice();
    else {
      const weight = new Array<number>(L).fill(0);
      for (let l = 0; l < L; l++) {
        if (c.redistribution === "nonzero") weight[l] = countOnes(masks[l]);
        else {
          // mean |momentum| over the layer's active weights before pruning (sparselearning's statistic)
          const mo = momentum!.get(names[l]);
          if (!mo) throw new Error(`${module}: no momentum buffer for '${names[l]}'`);
          const md = mo.dataSync();
          let s = 0;
          let cnt = 0;
          const a0 = active0[l];
          for (let i = 0; i < md.length; i++) {
            if (a0[i]) {
              s += Math.abs(md[i]);
              cnt++;
            }
          }
          weight[l] = cnt > 0 ? s / cnt : 0;
        }
      }
      let wsum = 0;
      for (const v of weight) wsum += v;
      const targets = wsum > 0 ? weight.map((v) => (v / wsum) * totalRemoved) : removed.slice();
      grow = allocate(targets, free, totalRemoved, module);
    }

    // 3. grow
    let totalGrown = 0;
    for (let l = 0; l < L; l++) {
      const g = grow[l];
      if (g === 0) continue;
      const m = masks[l];
      if (c.growth === "random") {
        const inactive = new Int32Array(m.length - countOnes(m));
        let j = 0;
        for (let i = 0; i < m.length; i++) if (!m[i]) inactive[j++] = i;
        const pick = chooseSubset(inactive, g, this.rng);
        for (let i = 0; i < pick.length; i++) m[pick[i]] = 1;
      } else {
        const src = growSource!.get(names[l]);
        if (!src) throw new Error(`${module}: no ${c.growth} tensor for '${names[l]}'`);
        const gd = src.dataSync();
        if (gd.length !== m.length) throw new Error(`${module}: ${c.growth} tensor of '${names[l]}' has ${gd.length} values, mask ${m.length}`);
        const s = new Float32Array(m.length);
        for (let i = 0; i < m.length; i++) s[i] = m[i] ? -Infinity : Math.abs(gd[i]);
        const [add] = selectGlobal([s], g, this.rng, "largest", module);
        for (let i = 0; i < m.length; i++) if (add[i]) m[i] = 1;
      }
      totalGrown += g;
    }

    // 4. install: new masks; weights of removed and of regrown positions are exactly 0
    tf.tidy(() => {
      for (let l = 0; l < L; l++) {
        const w = model.params.get(names[l])!;
        // survivors (active before, not removed) keep their value; removed and regrown positions are 0
        const keep = new Float32Array(masks[l].length);
        const a0 = active0[l];
        const d = dropped[l];
        for (let i = 0; i < keep.length; i++) keep[i] = a0[i] && !d[i] ? 1 : 0;
        w.assign(tf.mul(w, tf.tensor(keep, w.shape)));
      }
    });
    for (let l = 0; l < L; l++) {
      const w = model.params.get(names[l])!;
      const t = tf.keep(tf.tensor(Float32Array.from(masks[l]), w.shape, "float32"));
      const old = model.masks.get(names[l]);
      model.masks.set(names[l], t);
      if (old && old !== t) old.dispose();
    }
    let nnz = 0;
    for (const m of masks) nnz += countOnes(m);
    const u: DstUpdate = { step, rate, removed: totalRemoved, grown: totalGrown, nonzeros: nnz };
    this.updates.push(u);
    return u;
  }

  /** Everything the hook carries between steps (see the module comment), as JSON. */
  saveState(): JsonValue {
    const rng = this.rng.getState();
    return {
      version: DST_STATE_VERSION,
      method: this.method,
      seed: this.seed,
      config: { ...this.config },
      rng: { s: [...rng.s], spareNormal: rng.spareNormal },
      updates: this.updates.map((u) => ({ step: u.step, rate: u.rate, removed: u.removed, grown: u.grown, nonzeros: u.nonzeros })),
    };
  }

  /**
   * Continues from a `saveState()` value. The state must come from the same method, seed and
   * configuration (otherwise the resumed run would be neither the saved one nor this one).
   */
  restoreState(state: JsonValue): void {
    const module = `pruning/${this.method}`;
    if (typeof state !== "object" || state === null || Array.isArray(state)) throw new Error(`${module}: hook state must be an object, got ${JSON.stringify(state)}`);
    const o = state as { readonly [key: string]: JsonValue };
    if (o.version !== DST_STATE_VERSION) throw new Error(`${module}: hook state version ${JSON.stringify(o.version)}, expected ${DST_STATE_VERSION}`);
    if (o.method !== this.method) throw new Error(`${module}: hook state is from DST method '${String(o.method)}', this hook is '${this.method}'`);
    if (o.seed !== this.seed) throw new Error(`${module}: hook state is from seed ${JSON.stringify(o.seed)}, this hook has seed ${this.seed}`);
    const cfg = o.config;
    if (typeof cfg !== "object" || cfg === null || Array.isArray(cfg)) throw new Error(`${module}: hook state has no config object`);
    const savedCfg = cfg as { readonly [key: string]: JsonValue };
    const keys = new Set([...Object.keys(this.config), ...Object.keys(savedCfg)]);
    const diff: string[] = [];
    for (const k of keys) {
      const mine = (this.config as unknown as Record<string, unknown>)[k];
      if (mine !== savedCfg[k]) diff.push(`${k} ${JSON.stringify(savedCfg[k])} (this hook: ${JSON.stringify(mine)})`);
    }
    if (diff.length > 0) throw new Error(`${module}: hook state has a different configuration: ${diff.join(", ")}`);
    try {
      checkRngState(o.rng);
    } catch (err) {
      throw new Error(`${module}: hook state rng: ${(err as Error).message}`);
    }
    const rngState = o.rng;
    const ups = o.updates;
    if (!Array.isArray(ups)) throw new Error(`${module}: hook state 'updates' must be an array`);
    const list: readonly JsonValue[] = ups;
    const updates: DstUpdate[] = list.map((u, i) => {
      if (typeof u !== "object" || u === null || Array.isArray(u)) throw new Error(`${module}: hook state updates[${i}] must be an object`);
      const r = u as { readonly [key: string]: JsonValue };
      const num = (k: keyof DstUpdate): number => {
        const v = r[k];
        if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${module}: hook state updates[${i}].${k} must be a finite number, got ${JSON.stringify(v)}`);
        return v;
      };
      return { step: num("step"), rate: num("rate"), removed: num("removed"), grown: num("grown"), nonzeros: num("nonzeros") };
    });
    this.rng.setState(rngState);
    this.updates.length = 0;
    this.updates.push(...updates);
  }

  /** Realised density of the model's current masks (as the reference counts: mask ones). */
  report(model: SparseModel | null = this.model): DensityReport {
    if (!model) throw new Error(`pruning/${this.method}: report() before the hook saw a model`);
    const perLayer: LayerDensity[] = [];
    let kept = 0;
    let total = 0;
    for (const n of model.prunable) {
      const m = model.masks.get(n);
      if (!m) throw new Error(`pruning/${this.method}: no mask for '${n}'`);
      const k = tf.tidy(() => tf.sum(tf.notEqual(m, 0).asType("float32")).dataSync()[0]);
      perLayer.push({ name: n, density: k / m.size, kept: k, total: m.size });
      kept += k;
      total += m.size;
    }
    return { global: kept / total, perLayer };
  }
}

/** Layout version of `DstHook.saveState()`. */
const DST_STATE_VERSION = 1;

function applyDrop(mask: Uint8Array, drop: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    if (drop[i]) {
      if (!mask[i]) throw new Error("pruning/dst: tried to remove an inactive weight");
      mask[i] = 0;
      n++;
    }
  }
  return n;
}

function countOnes(m: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < m.length; i++) n += m[i];
  return n;
}

function checkConfig(method: string, c: DstConfig): void {
  const module = `pruning/${method}`;
  if (!(c.pruneRate > 0 && c.pruneRate < 1)) throw new Error(`${module}: pruneRate must be in (0, 1), got ${c.pruneRate}`);
  if (!(c.etaMin >= 0 && c.etaMin <= c.pruneRate)) throw new Error(`${module}: etaMin must be in [0, pruneRate], got ${c.etaMin}`);
  if (c.updateEvery !== "epoch" && !(Number.isInteger(c.updateEvery) && c.updateEvery >= 1)) throw new Error(`${module}: updateEvery must be a positive integer or "epoch", got ${String(c.updateEvery)}`);
  if (!(c.stopFraction > 0 && c.stopFraction <= 1)) throw new Error(`${module}: stopFraction must be in (0, 1], got ${c.stopFraction}`);
  if (!["erk", "uniform", "er"].includes(c.init)) throw new Error(`${module}: unknown init '${String(c.init)}'`);
  if (!["magnitude", "global-magnitude"].includes(c.prune)) throw new Error(`${module}: unknown prune mode '${String(c.prune)}'`);
  if (!["random", "gradient", "momentum"].includes(c.growth)) throw new Error(`${module}: unknown growth '${String(c.growth)}'`);
  if (!["none", "momentum", "nonzero"].includes(c.redistribution)) throw new Error(`${module}: unknown redistribution '${String(c.redistribution)}'`);
}

/** Builds a method's initial masks and hook from its defaults and the caller's overrides. */
export function makeDst(
  method: string,
  defaults: DstConfig,
  layers: readonly PrunableLayer[],
  sparsity: number,
  options: DstOptions,
): { result: PruneResult; hook: DstHook; config: DstConfig } {
  const module = `pruning/${method}`;
  checkSparsity(module, sparsity);
  checkSeed(module, options.seed);
  const config: DstConfig = { ...defaults };
  for (const k of Object.keys(defaults) as (keyof DstConfig)[]) {
    const v = options[k];
    if (v !== undefined) (config as unknown as Record<string, unknown>)[k] = v;
  }
  const hook = new DstHook(method, config, options.seed);
  const result = dstInitialMasks(method, layers, sparsity, config, options.seed);
  return { result, hook, config };
}
