import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/util/rng";
import { formatDuration } from "../../src/util/progress";

test("same seed gives the same stream, different seeds differ", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xa = Array.from({ length: 100 }, () => a.nextUint32());
  const xb = Array.from({ length: 100 }, () => b.nextUint32());
  const xc = Array.from({ length: 100 }, () => c.nextUint32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test("uniform draws pass a chi-square test over 20 bins", () => {
  const r = new Rng(7);
  const bins = new Array<number>(20).fill(0);
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    bins[Math.floor(u * 20)]++;
  }
  const expected = n / 20;
  const chi2 = bins.reduce((s, o) => s + ((o - expected) ** 2) / expected, 0);
  // 19 degrees of freedom: the 99.9 % quantile is 43.8.
  assert.ok(chi2 < 43.8, `chi2 = ${chi2}`);
});

test("normal draws have mean 0 and variance 1", () => {
  const r = new Rng(3);
  const n = 100_000;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
  }
  const mean = s / n;
  const variance = s2 / n - mean * mean;
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.02, `variance ${variance}`);
});

test("permutation is a permutation and int() stays in range", () => {
  const r = new Rng(1);
  const p = r.permutation(1000);
  assert.deepEqual(Array.from(p).sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  for (let i = 0; i < 1000; i++) {
    const k = r.int(7);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
  }
  assert.throws(() => r.int(0), /positive integer/);
  assert.throws(() => new Rng(Number.NaN), /finite/);
});

test("formatDuration", () => {
  assert.equal(formatDuration(0), "00:00");
  assert.equal(formatDuration(75), "01:15");
  assert.equal(formatDuration(3723), "1:02:03");
  assert.equal(formatDuration(Number.NaN), "--:--");
});
