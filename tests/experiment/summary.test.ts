import { test } from "node:test";
import assert from "node:assert/strict";
import { summariseResults } from "../../src/experiment/summary";
import type { Row } from "../../src/experiment/executor";
import { Rng } from "../../src/util/rng";

test("summariseResults: group means equal a brute-force filter-and-average; non-numbers are left out", () => {
  const rng = new Rng(3);
  const rows: Row[] = [];
  for (let i = 0; i < 60; i++) {
    rows.push({ model: ["b", "a"][rng.int(2)], sparsity: [0.9, 0.8][rng.int(2)], seed: rng.int(3), accuracy: rng.next(), t_total_s: i % 7 === 0 ? null : rng.next() });
  }
  const s = summariseResults(rows, ["model", "sparsity"], ["accuracy", "t_total_s"]);
  assert.deepEqual(s.map((g) => [g.key.model, g.key.sparsity]), [["a", 0.8], ["a", 0.9], ["b", 0.8], ["b", 0.9]]);
  for (const g of s) {
    const rs = rows.filter((r) => r.model === g.key.model && r.sparsity === g.key.sparsity);
    assert.equal(g.count, rs.length);
    const acc = rs.map((r) => r.accuracy as number);
    assert.ok(Math.abs(g.means.accuracy - acc.reduce((a, b) => a + b, 0) / acc.length) < 1e-12);
    const t = rs.map((r) => r.t_total_s).filter((v): v is number => typeof v === "number");
    assert.ok(Math.abs(g.means.t_total_s - t.reduce((a, b) => a + b, 0) / t.length) < 1e-12);
  }
  assert.ok(Number.isNaN(summariseResults([{ model: "x", accuracy: "n/a" }], ["model"], ["accuracy"])[0].means.accuracy));
  assert.throws(() => summariseResults(rows, [], ["accuracy"]), /experiment\/summary: at least one key column/);
});
