/**
 * A brute-force oracle for the general MGE (tests only): the Jacobian of every parametric layer's
 * output with respect to every node of every node set, read column by column from one-hot inputs
 * through dense float64 evaluation of the DAG (convolutions by their definition, max/avg pooling as
 * the sum over the window — the MGE folds a window into its pooled node —, activations and batch
 * norm as identities, node sets as independent variables). Independent of src/encoding/dag-*.ts:
 * it uses only the DAG types and shape inference.
 */
import type { DagNode, DagSpec, TensorShape } from "../../src/nn/dag";
import { dagConsumers, inferDagShapes, isIdentityLike } from "../../src/nn/dag";
import type { MaskMap, WeightMap } from "../../src/nn/tensors";
import { denseLinear as linear } from "./helpers";

type Dense = Float64Array;

export interface OracleSet {
  readonly name: string;
  readonly size: number;
}

export interface OracleResult {
  /** Node sets in order of first appearance (input first). */
  readonly sets: OracleSet[];
  /** Edges "src>tgt" (global indices from the sets' order) → Σ weight. */
  readonly edges: Map<string, number>;
}

function numel(s: TensorShape): number {
  return s.reduce((a, b) => a * b, 1);
}

export function oracleMge(dag: DagSpec, weights: WeightMap, masks: MaskMap | null, identityShortcuts = false): OracleResult {
  const shapes = inferDagShapes(dag);
  const consumers = dagConsumers(dag);
  const byName = new Map<string, DagNode>(dag.nodes.map((n) => [n.name, n]));
  // Own operands of adds: through identity-like single-consumer chains to a conv/linear/add.
  const setKey = new Map<string, string>();
  const rep = (t: string): string => {
    let k = t;
    while (setKey.get(k) !== undefined && setKey.get(k) !== k) k = setKey.get(k) as string;
    return k;
  };
  const skipsOf = new Map<string, string[]>();
  for (const n of dag.nodes) {
    if (n.op.kind === "conv2d" || n.op.kind === "linear") setKey.set(n.name, n.name);
    if (n.op.kind !== "add") continue;
    setKey.set(n.name, n.name);
    const skips: string[] = [];
    for (const t of n.inputs) {
      let cur = t;
      let own = true;
      for (;;) {
        if ((consumers.get(cur) ?? []).length !== 1) own = false;
        const p = byName.get(cur);
        if (!p) {
          own = false;
          break;
        }
        if (isIdentityLike(p.op)) {
          cur = p.inputs[0];
          continue;
        }
        if (!(p.op.kind === "conv2d" || p.op.kind === "linear" || p.op.kind === "add")) own = false;
        break;
      }
      if (own) setKey.set(rep(cur), n.name);
      else skips.push(t);
    }
    skipsOf.set(n.name, skips);
  }
  // Input: padded for its one direct conv reader.
  const direct: DagNode[] = [];
  const stack = [dag.input.name];
  while (stack.length) {
    const t = stack.pop() as string;
    for (const i of consumers.get(t) ?? []) {
      const c = dag.nodes[i];
      if (isIdentityLike(c.op)) stack.push(c.name);
      else direct.push(c);
    }
  }
  const first = direct.length === 1 && direct[0].op.kind === "conv2d" ? direct[0] : null;
  const pad = first && first.op.kind === "conv2d" ? first.op.padding : [0, 0, 0, 0];
  const { channels: C0, height: H0, width: W0 } = dag.input;
  const inShape = [C0, H0 + pad[0] + pad[2], W0 + pad[1] + pad[3]];
  const sets: OracleSet[] = [{ name: "input", size: numel(inShape) }];
  const setIndex = new Map<string, number>();
  const setShape: TensorShape[] = [inShape];
  for (const n of dag.nodes) {
    if (n.op.kind !== "conv2d" && n.op.kind !== "linear") continue;
    const r = rep(n.name);
    if (setIndex.has(r)) continue;
    setIndex.set(r, sets.length);
    const s = shapes.get(n.name) as TensorShape;
    sets.push({ name: n.name, size: numel(s) });
    setShape.push(s);
  }
  const starts: number[] = [];
  sets.reduce((a, s) => (starts.push(a), a + s.size), 0);
  const edges = new Map<string, number>();

  for (let L = 0; L < sets.length; L++) {
    for (let u = 0; u < sets[L].size; u++) {
      const vals = new Map<string, Dense>();
      // The input tensor: the interior of the padded one-hot.
      const x0 = new Float64Array(C0 * H0 * W0);
      if (L === 0) {
        const c = Math.floor(u / (inShape[1] * inShape[2]));
        const y = Math.floor(u / inShape[2]) % inShape[1];
        const x = u % inShape[2];
        const yy = y - pad[0];
        const xx = x - pad[1];
        if (yy >= 0 && yy < H0 && xx >= 0 && xx < W0) x0[(c * H0 + yy) * W0 + xx] = 1;
      }
      vals.set(dag.input.name, x0);
      const leaf = (name: string): Dense => {
        const v = new Float64Array(numel(shapes.get(name) as TensorShape));
        if (setIndex.get(rep(name)) === L) v[u] = 1;
        return v;
      };
      for (const n of dag.nodes) {
        const op = n.op;
        const inS = n.inputs.map((t) => shapes.get(t) as TensorShape);
        const out = shapes.get(n.name) as TensorShape;
        if (op.kind === "conv2d" || op.kind === "linear") {
          // Apply the layer to its (dense) input and record edges, then the output is a leaf.
          let xin = vals.get(n.inputs[0]) as Dense;
          let xs = inS[0];
          let kernelPad: readonly number[] = op.kind === "conv2d" ? op.padding : [0, 0, 0, 0];
          if (first && n.name === first.name) {
            xs = inShape;
            xin = new Float64Array(numel(inShape));
            if (L === 0) xin[u] = 1;
            kernelPad = [0, 0, 0, 0];
          }
          const key = op.weight;
          const w = weights.get(key)!;
          const m = masks?.get(key);
          const wabs = Float64Array.from(w.data, (v, i) => (m && m.data[i] === 0 ? 0 : Math.abs(v)));
          const y = op.kind === "conv2d"
            ? conv(xin, xs, wabs, op.outChannels, op.kernel, op.stride, kernelPad, op.dilation, op.groups, out)
            : linear(xin, wabs, op.outFeatures);
          const T = setIndex.get(rep(n.name)) as number;
          record(edges, starts[L] + u, starts[T], y);
          vals.set(n.name, leaf(n.name));
          continue;
        }
        const x = vals.get(n.inputs[0]) as Dense;
        switch (op.kind) {
          case "batchnorm":
          case "activation":
          case "identity":
          case "flatten":
            vals.set(n.name, x);
            break;
          case "maxpool":
          case "avgpool":
            vals.set(n.name, pool(x, inS[0], out, (i, size, axis) => windowIdx(i, size, op.kernel[axis], op.stride[axis], op.padding[axis], op.dilation[axis])));
            break;
          case "adaptivepool":
            vals.set(n.name, pool(x, inS[0], out, (i, size, axis) => {
              const o = op.output[axis];
              const a = Math.floor((i * size) / o);
              const b = Math.ceil(((i + 1) * size) / o);
              return Array.from({ length: b - a }, (_, k) => a + k);
            }));
            break;
          case "concat": {
            const parts = n.inputs.map((t) => vals.get(t) as Dense);
            const y = new Float64Array(numel(out));
            let o = 0;
            for (const p of parts) (y.set(p, o), (o += p.length));
            vals.set(n.name, y);
            break;
          }
          case "add": {
            if (identityShortcuts) {
              const T = setIndex.get(rep(n.name)) as number;
              for (const s of skipsOf.get(n.name) ?? []) record(edges, starts[L] + u, starts[T], vals.get(s) as Dense);
            }
            vals.set(n.name, leaf(n.name));
            break;
          }
          default:
            throw new Error(`oracle: unknown op in ${n.name}`);
        }
      }
    }
  }
  return { sets, edges };
}

function record(edges: Map<string, number>, src: number, tgtBase: number, y: Dense): void {
  for (let j = 0; j < y.length; j++) {
    if (y[j] === 0) continue;
    const k = `${src}>${tgtBase + j}`;
    edges.set(k, (edges.get(k) ?? 0) + y[j]);
  }
}

function windowIdx(i: number, size: number, k: number, s: number, pb: number, d: number): number[] {
  const out: number[] = [];
  for (let a = 0; a < k; a++) {
    const p = i * s - pb + a * d;
    if (p >= 0 && p < size) out.push(p);
  }
  return out;
}

function pool(x: Dense, inS: TensorShape, out: TensorShape, win: (i: number, size: number, axis: 0 | 1) => number[]): Dense {
  const [C, H, W] = inS;
  const [, OH, OW] = out;
  const y = new Float64Array(C * OH * OW);
  for (let c = 0; c < C; c++)
    for (let r = 0; r < OH; r++)
      for (let q = 0; q < OW; q++) {
        let acc = 0;
        for (const a of win(r, H, 0)) for (const b of win(q, W, 1)) acc += x[(c * H + a) * W + b];
        y[(c * OH + r) * OW + q] = acc;
      }
  return y;
}

function conv(x: Dense, xs: TensorShape, w: Float64Array, cout: number, k: readonly number[], s: readonly number[], p: readonly number[], d: readonly number[], groups: number, out: TensorShape): Dense {
  const [C, H, W] = xs;
  const [, OH, OW] = out;
  const cinG = C / groups;
  const outG = cout / groups;
  const y = new Float64Array(cout * OH * OW);
  for (let c = 0; c < cout; c++) {
    const g = Math.floor(c / outG);
    for (let r = 0; r < OH; r++)
      for (let q = 0; q < OW; q++) {
        let acc = 0;
        for (let jj = 0; jj < cinG; jj++)
          for (let a = 0; a < k[0]; a++)
            for (let b = 0; b < k[1]; b++) {
              const yy = r * s[0] - p[0] + a * d[0];
              const xx = q * s[1] - p[1] + b * d[1];
              if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
              acc += w[((c * cinG + jj) * k[0] + a) * k[1] + b] * x[((g * cinG + jj) * H + yy) * W + xx];
            }
        y[(c * OH + r) * OW + q] = acc;
      }
  }
  return y;
}
