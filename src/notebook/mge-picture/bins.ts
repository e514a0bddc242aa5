/**
 * Position bins of the whole-MGE picture: each partition's nodes, in index order, are cut into
 * `nb` runs of consecutive nodes (bin b holds local nodes ⌈b·n/nb⌉ … ⌈(b+1)·n/nb⌉ − 1), and edges are
 * counted per (source bin, target bin) of every partition pair. Drawing one segment per non-empty bin
 * pair instead of one per edge is what makes the picture's cost independent of the edge count beyond
 * one pass: a bin pair stands for all its edges, drawn from the bin's mean node position.
 *
 * `aggregatePairs` makes that pass: O(N + E) time (two array reads and one add per edge, no allocation
 * per edge), and, per source partition, one dense nbS × nbT Float64 matrix for each target partition
 * its edges reach, handed to the caller, then zeroed and reused for the next source partition. Edge-to-pair
 * assignment is by the partitions of the two endpoints as the CSR stores them, so edges inside a
 * partition (the `reference` alignment's stride-2 shift) or skipping partitions (shortcuts) are pairs
 * of their own.
 */
import type { CsrGraph, Partition } from "../../encoding/csr";
import { silentProgress, type Progress } from "../../util/progress";

export interface NodeBins {
  /** Bins per partition. */
  readonly count: Int32Array;
  /** Global index of partition p's first bin (length P + 1). */
  readonly base: Int32Array;
  /** Global bin of every node. */
  readonly nodeBin: Int32Array;
  /** Partition of every global bin. */
  readonly binPartition: Int32Array;
}

/** First local node of bin b of a partition of n nodes cut into nb bins. */
export function binFirstNode(b: number, n: number, nb: number): number {
  return Math.ceil((b * n) / nb);
}

/**
 * Cuts every partition into `binsPerPartition[p]` runs of nodes (1 ≤ bins ≤ nodes; 0 for an empty partition).
 * @throws when a bin count is out of range.
 */
export function nodeBins(partitions: readonly Partition[], numNodes: number, binsPerPartition: ArrayLike<number>): NodeBins {
  const P = partitions.length;
  const count = new Int32Array(P);
  const base = new Int32Array(P + 1);
  for (let p = 0; p < P; p++) {
    const n = partitions[p].size;
    const nb = binsPerPartition[p];
    if (!Number.isInteger(nb) || nb < (n > 0 ? 1 : 0) || nb > n) {
      throw new Error(`notebook/mge-picture: partition "${partitions[p].name}" (${n} nodes) cannot have ${nb} bins`);
    }
    count[p] = nb;
    base[p + 1] = base[p] + nb;
  }
  const nodeBin = new Int32Array(numNodes);
  const binPartition = new Int32Array(base[P]);
  for (let p = 0; p < P; p++) {
    const { start, size } = partitions[p];
    const nb = count[p];
    for (let b = 0; b < nb; b++) {
      binPartition[base[p] + b] = p;
      const hi = binFirstNode(b + 1, size, nb);
      for (let i = binFirstNode(b, size, nb); i < hi; i++) nodeBin[start + i] = base[p] + b;
    }
  }
  return { count, base, nodeBin, binPartition };
}

/** One partition pair's bin matrix: `counts[bs·nbT + bt]`, and the optional second layer (flagged edges). */
export interface PairBins {
  readonly source: number;
  readonly target: number;
  readonly nbS: number;
  readonly nbT: number;
  readonly counts: Float64Array;
  /** Same shape, the part of `counts` from flagged edges (null when no flags were given). */
  readonly flagged: Float64Array | null;
}

export interface AggregateOptions {
  /** Add |w| instead of 1 per edge. */
  readonly weighted?: boolean;
  /** Edge u → v is also accumulated into `flagged` when flagSourceNodes[u] or flagTargetNodes[v] is nonzero. */
  readonly flagSourceNodes?: Uint8Array | null;
  readonly flagTargetNodes?: Uint8Array | null;
  readonly progress?: Progress;
}

/**
 * Zeroed Float64 matrices, reused: on this kind of VM a freshly touched page costs ~13 µs (3.4 ms per
 * MiB), so zeroing a used matrix is several times cheaper than allocating a new one.
 */
class MatrixPool {
  private free: Float64Array[] = [];

  take(n: number): Float64Array {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const c = this.free[i].length;
      if (c >= n && (best < 0 || c < this.free[best].length)) best = i;
    }
    if (best < 0) return new Float64Array(n);
    const buf = this.free[best];
    this.free.splice(best, 1);
    return buf.subarray(0, n);
  }

  /** Returns a matrix (zeroing it) to the pool. */
  give(m: Float64Array): void {
    m.fill(0);
    this.free.push(new Float64Array(m.buffer));
  }
}

/**
 * Streams the bin matrices of all partition pairs with at least one edge, source partition by source
 * partition (targets in ascending partition order), to `onPair`. A matrix is valid only during the call.
 */
export function aggregatePairs(g: CsrGraph, bins: NodeBins, onPair: (pair: PairBins) => void, options: AggregateOptions = {}): void {
  const P = g.partitions.length;
  if (bins.nodeBin.length !== g.numNodes) throw new Error(`notebook/mge-picture: bins cover ${bins.nodeBin.length} nodes, the graph has ${g.numNodes}`);
  const fs = options.flagSourceNodes ?? null;
  const ft = options.flagTargetNodes ?? null;
  if ((fs === null) !== (ft === null)) throw new Error("notebook/mge-picture: give both flagSourceNodes and flagTargetNodes, or neither");
  if (fs && ft && (fs.length !== g.numNodes || ft.length !== g.numNodes)) throw new Error(`notebook/mge-picture: node flags cover ${fs.length}/${ft.length} nodes, the graph has ${g.numNodes}`);
  const flag = fs !== null;
  const weighted = Boolean(options.weighted);
  const progress = options.progress ?? silentProgress;
  const off = g.offsets;
  const tgt = g.targets;
  const w = g.weights;
  const nodeBin = bins.nodeBin;
  const binPart = bins.binPartition;
  const base = bins.base;
  const pool = new MatrixPool();
  const matrices: (Float64Array | null)[] = new Array<Float64Array | null>(P).fill(null);
  const flagged: (Float64Array | null)[] = new Array<Float64Array | null>(P).fill(null);
  for (let sp = 0; sp < P; sp++) {
    const part = g.partitions[sp];
    const nbS = bins.count[sp];
    const sBase = base[sp];
    for (let u = part.start; u < part.start + part.size; u++) {
      const e1 = off[u + 1];
      if (off[u] === e1) continue;
      const rowBase = nodeBin[u] - sBase;
      const srcFlag = fs !== null && fs[u] !== 0;
      for (let e = off[u]; e < e1; e++) {
        const tb = nodeBin[tgt[e]];
        const tp = binPart[tb];
        let m = matrices[tp];
        const nbT = bins.count[tp];
        if (m === null) {
          m = pool.take(nbS * nbT);
          matrices[tp] = m;
          if (flag) flagged[tp] = pool.take(nbS * nbT);
        }
        const cell = rowBase * nbT + (tb - base[tp]);
        const ink = weighted ? Math.abs(w[e]) : 1;
        m[cell] += ink;
        if (flag && (srcFlag || (ft as Uint8Array)[tgt[e]] !== 0)) (flagged[tp] as Float64Array)[cell] += ink;
      }
    }
    for (let tp = 0; tp < P; tp++) {
      const m = matrices[tp];
      if (m === null) continue;
      const f = flagged[tp];
      onPair({ source: sp, target: tp, nbS, nbT: bins.count[tp], counts: m, flagged: f });
      pool.give(m);
      if (f !== null) pool.give(f);
      matrices[tp] = null;
      flagged[tp] = null;
    }
    progress.update(off[part.start + part.size], g.numEdges, part.name);
  }
}
