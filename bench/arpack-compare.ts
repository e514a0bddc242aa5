/**
 * Measurement behind the solver choice documented in src/metrics/eigen.ts: our Krylov–Schur
 * Lanczos vs ARPACK (Debian libarpack2, dsaupd/dseupd — what scipy's eigsh runs) called through
 * koffi, both with the same JS operator (SpMV over the simple undirected view), k = 3 'LM' on the
 * adjacency and k = 2 on the Laplacian of a fixture MGE.
 *
 *   flock /tmp/snn-heavy.lock node --import tsx bench/arpack-compare.ts [fixture]
 */
import { largestMagnitudeEigenvalues, type SymmetricOperator } from "../src/metrics/eigen";
import { adjacencyOperator, laplacianOperator } from "../src/metrics/spectral";
import { simpleUndirected } from "../src/encoding/undirected-simple";
import { Rng } from "../src/util/rng";
import { buildCase } from "./mge-cases";

/** The part of koffi used here, declared locally (`typeof import("koffi")` fails under nodenext after a fresh npm ci: TS1479). */
interface KoffiModule {
  load(path: string): { func(signature: string): (...args: unknown[]) => unknown };
}

function arpackLM(op: SymmetricOperator, k: number, ncv: number, tol: number): { values: number[]; matvecs: number } {
  const koffi = require("koffi") as KoffiModule;
  const lib = koffi.load("/usr/lib/x86_64-linux-gnu/libarpack.so.2");
  const dsaupd = lib.func(
    "void dsaupd_(_Inout_ int *ido, const char *bmat, int *n, const char *which, int *nev, double *tol, _Inout_ double *resid, int *ncv, _Inout_ double *v, int *ldv, _Inout_ int *iparam, _Inout_ int *ipntr, _Inout_ double *workd, _Inout_ double *workl, int *lworkl, _Inout_ int *info, size_t lb, size_t lw)",
  );
  const dseupd = lib.func(
    "void dseupd_(int *rvec, const char *howmny, int *select, _Inout_ double *d, _Inout_ double *z, int *ldz, double *sigma, const char *bmat, int *n, const char *which, int *nev, double *tol, _Inout_ double *resid, int *ncv, _Inout_ double *v, int *ldv, _Inout_ int *iparam, _Inout_ int *ipntr, _Inout_ double *workd, _Inout_ double *workl, int *lworkl, _Inout_ int *info, size_t lh, size_t lb, size_t lw)",
  );
  const n = op.size;
  const ido = new Int32Array(1);
  const nArr = Int32Array.of(n);
  const nev = Int32Array.of(k);
  const tolA = Float64Array.of(tol);
  const resid = new Float64Array(n);
  const rng = new Rng(1);
  for (let i = 0; i < n; i++) resid[i] = rng.next() - 0.5;
  const ncvA = Int32Array.of(ncv);
  const v = new Float64Array(n * ncv);
  const ldv = Int32Array.of(n);
  const iparam = new Int32Array(11);
  iparam[0] = 1; // exact shifts
  iparam[2] = 100000; // max iterations
  iparam[6] = 1; // mode 1: A x = λ x
  const ipntr = new Int32Array(11);
  const workd = new Float64Array(3 * n);
  const lworkl = Int32Array.of(ncv * (ncv + 8));
  const workl = new Float64Array(lworkl[0]);
  const info = Int32Array.of(1); // use resid as the start vector
  let matvecs = 0;
  for (;;) {
    dsaupd(ido, "I", nArr, "LM", nev, tolA, resid, ncvA, v, ldv, iparam, ipntr, workd, workl, lworkl, info, 1, 2);
    if (ido[0] === -1 || ido[0] === 1) {
      const x = workd.subarray(ipntr[0] - 1, ipntr[0] - 1 + n);
      const y = workd.subarray(ipntr[1] - 1, ipntr[1] - 1 + n);
      op.apply(x, y);
      matvecs++;
    } else break;
  }
  if (info[0] < 0) throw new Error(`dsaupd info ${info[0]}`);
  const rvec = Int32Array.of(0);
  const select = new Int32Array(ncv);
  const d = new Float64Array(k);
  const z = new Float64Array(n * k);
  const sigma = Float64Array.of(0);
  dseupd(rvec, "A", select, d, z, ldv, sigma, "I", nArr, "LM", nev, tolA, resid, ncvA, v, ldv, iparam, ipntr, workd, workl, lworkl, info, 1, 1, 2);
  if (info[0] !== 0) throw new Error(`dseupd info ${info[0]}`);
  return { values: Array.from(d), matvecs };
}

function time<T>(f: () => T): [T, number] {
  const t = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

const name = process.argv[2] ?? "resnet-20_er_0.9";
const g = buildCase(name);
const view = simpleUndirected(g, true);
for (const [label, op, k] of [["adjacency", adjacencyOperator(view), 3], ["laplacian", laplacianOperator(view), 2]] as const) {
  const [ours, tOurs] = time(() => largestMagnitudeEigenvalues(op, { k, verify: false }));
  const [oursV, tOursV] = time(() => largestMagnitudeEigenvalues(op, { k, verify: true }));
  const [arp, tArp] = time(() => arpackLM(op, k, Math.max(2 * k + 1, 20), 0));
  const fmt = (v: ArrayLike<number>) => Array.from(v).map((x) => x.toFixed(10)).join(" ");
  console.log(`${name} ${label} k=${k}`);
  console.log(`  ours (Krylov–Schur, ncv 24)      ${tOurs.toFixed(2)} s, ${ours.matvecs} matvecs: ${fmt(ours.values)}`);
  console.log(`  ours + multiplicity check        ${tOursV.toFixed(2)} s, ${oursV.matvecs} matvecs`);
  console.log(`  ARPACK dsaupd (ncv 20, tol eps)  ${tArp.toFixed(2)} s, ${arp.matvecs} matvecs: ${fmt(arp.values)}`);
}
