import test from "node:test";
import assert from "node:assert/strict";
import { kFoldIds, stratifiedKFoldIds, groupKFoldIds, foldsFromIds, stratifiedKFold, groupKFold, kFold } from "../../src/analysis/cv";

function labels(): number[] {
  // 5 imbalanced classes: 3, 7, 12, 25, 53 rows, interleaved
  const out: number[] = [];
  const sizes = [3, 7, 12, 25, 53];
  for (let c = 0; c < sizes.length; c++) for (let i = 0; i < sizes[c]; i++) out.push(c);
  // deterministic interleave so classes are not contiguous
  return out.map((v, i) => [v, (i * 37) % out.length] as const).sort((a, b) => a[1] - b[1]).map((p) => p[0]);
}

function checkPartition(n: number, folds: { train: Int32Array; test: Int32Array }[]): void {
  const seen = new Int32Array(n);
  for (const f of folds) {
    assert.equal(f.train.length + f.test.length, n);
    const inTest = new Set(f.test);
    for (const i of f.train) assert.ok(!inTest.has(i), `row ${i} in train and test`);
    for (const i of f.test) seen[i]++;
  }
  for (let i = 0; i < n; i++) assert.equal(seen[i], 1, `row ${i} is in ${seen[i]} test folds`);
}

test("stratified k-fold: every row in exactly one test fold, class counts per fold differ by ≤ 1", () => {
  const y = labels();
  const k = 3;
  const ids = stratifiedKFoldIds(y, k, 0);
  checkPartition(y.length, foldsFromIds(ids));
  for (let c = 0; c < 5; c++) {
    const counts = new Array(k).fill(0);
    y.forEach((v, i) => {
      if (v === c) counts[ids[i]]++;
    });
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `class ${c}: ${counts}`);
  }
  const sizes = new Array(k).fill(0);
  for (const f of ids) sizes[f]++;
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes}`);
});

test("stratified k-fold: same seed same folds, other seed other folds; string labels", () => {
  const y = labels();
  assert.deepEqual(stratifiedKFoldIds(y, 3, 0), stratifiedKFoldIds(y, 3, 0));
  assert.notDeepEqual(stratifiedKFoldIds(y, 3, 0), stratifiedKFoldIds(y, 3, 1));
  const s = y.map((v) => `class-${v}`);
  checkPartition(s.length, stratifiedKFold(s, 3, 7));
  assert.throws(() => stratifiedKFoldIds(y, 5, 0), /class '0' has 3 rows, fewer than the 5 folds/);
});

test("k-fold: partition, sizes differ by ≤ 1, reproducible", () => {
  const n = 103;
  const ids = kFoldIds(n, 5, 3);
  checkPartition(n, kFold(n, 5, 3));
  const sizes = new Array(5).fill(0);
  for (const f of ids) sizes[f]++;
  assert.deepEqual(sizes.sort(), [20, 20, 21, 21, 21]);
  assert.deepEqual(ids, kFoldIds(n, 5, 3));
  assert.notDeepEqual(ids, kFoldIds(n, 5, 4));
  assert.throws(() => kFoldIds(3, 5, 0), /3 rows cannot be split into 5 folds/);
  assert.throws(() => kFoldIds(10, 1, 0), /integer ≥ 2/);
});

test("group k-fold: no group straddles folds; k = #groups is leave-one-group-out", () => {
  const groups = Array.from({ length: 200 }, (_, i) => ["conv6", "resnet20", "resnet32", "wrn"][(i * 7) % 4] + ((i * 13) % 3));
  const ids = groupKFoldIds(groups, 4, 0);
  checkPartition(groups.length, foldsFromIds(ids));
  const foldOf = new Map<string, number>();
  groups.forEach((g, i) => {
    if (foldOf.has(g)) assert.equal(foldOf.get(g), ids[i], `group ${g} in two folds`);
    foldOf.set(g, ids[i]);
  });
  const arch = groups.map((g) => g.replace(/\d$/, ""));
  const logo = groupKFold(arch, 4, 0);
  for (const f of logo) assert.equal(new Set(Array.from(f.test, (i) => arch[i])).size, 1);
  assert.deepEqual(groupKFoldIds(groups, 4, 0), ids);
  assert.throws(() => groupKFoldIds(arch, 5, 0), /4 groups cannot fill 5 folds/);
});
