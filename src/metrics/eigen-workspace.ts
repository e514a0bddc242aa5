/**
 * Reusable solver vectors for `largestMagnitudeEigenvalues` (./eigen.ts): one pool of Float64Array
 * of one size, optionally pre-faulted by a worker thread. On VMs where a first-touched page costs
 * ~13 µs, allocating the basis afresh took as long as 30 products on a 192 k-node MGE.
 */
import { Worker } from "node:worker_threads";

/** Below this many bytes a pre-fault worker costs more than the faults it saves. */
const PREFAULT_MIN_BYTES = 8 << 20;

/** Touches one int per 4 KiB page of the shared buffer with a value-preserving write access. */
const PREFAULT_SOURCE = `
const { workerData } = require("node:worker_threads");
const a = new Int32Array(workerData);
for (let i = 0; i < a.length; i += 1024) Atomics.compareExchange(a, i, 0, 0);`;

/**
 * Reusable vectors of one size for `largestMagnitudeEigenvalues`, allocated on first use and kept
 * until the workspace is dropped. Not for concurrent solves: a solve overwrites what it uses.
 */
export class EigenWorkspace {
  private readonly pool: Float64Array[] = [];
  private prefaulter: Worker | null = null;
  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`metrics/eigen: workspace size must be a positive integer, got ${size}`);
  }

  /**
   * A workspace whose first `count` vectors are backed by one shared buffer that a worker thread
   * faults in page by page right away, so that a solve started later (after other work on this
   * thread) finds them resident instead of paying the first-touch faults itself (~0.17 s for the
   * basis of a 192 k-node MGE, measured). The worker only performs compareExchange(a, i, 0, 0) —
   * a write access that never changes a value — so it is harmless whenever this thread writes first.
   * Below `PREFAULT_MIN_BYTES`, or where no worker can be started, the vectors are allocated plainly.
   */
  static prefaulted(size: number, count: number): EigenWorkspace {
    const ws = new EigenWorkspace(size);
    const bytes = size * count * 8;
    if (!Number.isInteger(count) || count < 1 || bytes < PREFAULT_MIN_BYTES) return ws;
    const sab = new SharedArrayBuffer(bytes);
    try {
      // execArgv []: the snippet needs no loader (an inherited `--import tsx` would cost ~0.1 s of CPU).
      const w = new Worker(PREFAULT_SOURCE, { eval: true, workerData: sab, execArgv: [] });
      w.unref();
      w.on("error", () => {}); // the faults then happen on first use, as without a worker
      w.on("exit", () => {
        if (ws.prefaulter === w) ws.prefaulter = null;
      });
      ws.prefaulter = w;
    } catch {
      // Worker threads unavailable: same result, the faults happen on first use.
    }
    for (let i = 0; i < count; i++) ws.pool.push(new Float64Array(sab, i * size * 8, size));
    return ws;
  }

  /** Vector i of the pool (contents are whatever the last user left). */
  vector(i: number): Float64Array {
    while (this.pool.length <= i) this.pool.push(new Float64Array(this.size));
    return this.pool[i];
  }

  /** Stops a still-running pre-fault worker (it also stops by itself when done). Idempotent. */
  dispose(): void {
    const w = this.prefaulter;
    this.prefaulter = null;
    if (w) void w.terminate();
  }

  /** Vectors allocated so far (for tests and memory accounting). */
  get allocated(): number {
    return this.pool.length;
  }
}
