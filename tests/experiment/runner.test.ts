import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { RESULT_COLUMNS, UNROLLED_COLUMNS, isVolatileColumn } from "../../src/experiment/columns";
import { expandGrid, parseGrid, parseShard, shardCells, type GridSpec } from "../../src/experiment/grid";
import { mergeResultDirs } from "../../src/experiment/merge";
import { lockResultsDir, readResultsCsv, ResultsFile } from "../../src/experiment/results";
import { runGrid } from "../../src/experiment/runner";
import type { Row } from "../../src/experiment/executor";
import { setDisplaySink } from "../../src/notebook/output";
import { paperDataFile, paperDataSkip } from "../paper-data";

const FAKE = path.join(__dirname, "fake-executor.ts");
const PAPER_CSV = paperDataFile("graph_metrics/unrolled/unrolled.csv");

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), "snn-grid-"));
}

function fakeGrid(extra: Record<string, unknown> = {}): GridSpec {
  return parseGrid({
    name: "fake",
    architectures: ["mlp", "cnn"],
    datasets: ["toy"],
    pruners: ["snip", "uniform", "erk"],
    sparsities: [0.5, 0.9],
    seeds: [0, 1],
    executor: FAKE,
    codeVersion: "test",
    ...extra,
  });
}

/** Rows keyed by cell_key with the volatile (timing/version) columns dropped. */
function stable(rows: Row[]): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const r of rows) {
    const s: Row = {};
    for (const [k, v] of Object.entries(r)) if (!isVolatileColumn(k)) s[k] = v;
    assert.ok(!out.has(String(r.cell_key)), `duplicate row ${r.cell_key}`);
    out.set(String(r.cell_key), s);
  }
  return out;
}

test("results columns are a superset of the released unrolled.csv, in its order", () => {
  assert.deepEqual(RESULT_COLUMNS.slice(0, UNROLLED_COLUMNS.length), [...UNROLLED_COLUMNS]);
  for (const c of ["dense_accuracy", "accuracy_drop", "realised_sparsity", "cell_key", "t_total_s", "lib_version", "backend"]) {
    assert.ok(RESULT_COLUMNS.includes(c), c);
  }
  assert.equal(new Set(RESULT_COLUMNS).size, RESULT_COLUMNS.length);
});

test("UNROLLED_COLUMNS are the released unrolled.csv's header, in order", { skip: paperDataSkip() }, () => {
  const header = readFileSync(PAPER_CSV, "utf8").split("\n")[0].trim().split(",");
  assert.deepEqual([...UNROLLED_COLUMNS], header);
});

test("grid expansion: counts, stable keys, key changes with config and code version", () => {
  const g = fakeGrid();
  const a = expandGrid(g, "v1");
  assert.equal(a.dense.length, 2 * 1 * 2);
  assert.equal(a.sparse.length, 2 * 3 * 2 * 2);
  assert.equal(new Set([...a.dense, ...a.sparse].map((c) => c.key)).size, 4 + 24);
  const b = expandGrid(fakeGrid(), "v1");
  assert.deepEqual(b.sparse.map((c) => c.key), a.sparse.map((c) => c.key));
  const c = expandGrid(fakeGrid(), "v2");
  assert.ok(c.sparse.every((x, i) => x.key !== a.sparse[i].key));
  const d = expandGrid(fakeGrid({ training: { epochs: 3 } }), "v1");
  assert.ok(d.sparse.every((x, i) => x.key !== a.sparse[i].key));
  // Every sparse cell points at the dense baseline of its architecture, dataset and seed.
  for (const s of a.sparse) {
    const base = a.dense.find((x) => x.key === s.denseKey);
    assert.ok(base && base.architecture === s.architecture && base.seed === s.seed && base.dataset === s.dataset);
  }
});

test("shards partition the sparse cells and carry the dense baselines they need", () => {
  const all = expandGrid(fakeGrid(), "v");
  const keys = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const s = shardCells(all, parseShard(`${i}/3`));
    for (const c of s.sparse) {
      assert.ok(!keys.has(c.key));
      keys.add(c.key);
      assert.ok(s.dense.some((d) => d.key === c.denseKey));
    }
  }
  assert.equal(keys.size, all.sparse.length);
  assert.throws(() => parseShard("3/3"), /0 ≤ i < n/);
  assert.throws(() => parseShard("1-3"), /i\/n/);
});

test("bad grids fail before any work, naming the problem", async () => {
  assert.throws(() => parseGrid({ ...fakeGrid(), sparsities: [0.5, 1] }), /sparsity 1 is outside \(0, 1\)/);
  assert.throws(() => parseGrid({ ...fakeGrid(), sparsities: [0] }), /sparsity 0 is outside/);
  assert.throws(() => parseGrid({ ...fakeGrid(), seeds: [0.5] }), /seed 0.5 is not an integer/);
  assert.throws(() => parseGrid({ ...fakeGrid(), pruners: [] }), /'pruners' must be a non-empty array/);
  assert.throws(() => parseGrid({ ...fakeGrid(), prunners: ["snip"] }), /unknown field 'prunners'/);
  assert.throws(() => parseGrid({ ...fakeGrid(), training: { epochs: 1.5 } }), /'epochs' must be a positive integer/);
  const dir = tmp();
  try {
    await assert.rejects(runGrid({ grid: fakeGrid({ pruners: ["snip", "magic"] }), resultsDir: dir, workers: 0 }), /unknown pruner 'magic'/);
    assert.ok(!existsSync(path.join(dir, "results.csv")), "no results file may be created for a bad grid");
    // The real pipeline's checks: unknown names and missing dataset files, naming the path.
    const bad = parseGrid({
      name: "bad", architectures: ["lenet5", "alexnet"], datasets: ["cifar10"], pruners: ["snip", "bogus"], sparsities: [0.9], seeds: [0],
      dataDirs: { cifar10: path.join(dir, "nowhere") },
    });
    await assert.rejects(runGrid({ grid: bad, resultsDir: dir, workers: 0 }), (err: Error) => {
      assert.match(err.message, /unknown architecture 'alexnet'/);
      assert.match(err.message, /unknown pruner 'bogus'/);
      assert.match(err.message, new RegExp(`folder '${path.join(dir, "nowhere").replace(/[/\\]/g, ".")}' does not exist`));
      return true;
    });
    const noCifarFiles = parseGrid({ name: "bad2", architectures: ["lenet5"], datasets: ["cifar10"], pruners: ["snip"], sparsities: [0.9], seeds: [0], dataDirs: { cifar10: dir } });
    await assert.rejects(runGrid({ grid: noCifarFiles, resultsDir: dir, workers: 0 }), /missing file '.*data_batch_1\.bin'/);
    assert.ok(!existsSync(path.join(dir, "results.csv")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("in-process run writes every cell once, with dense accuracy and drop; a rerun skips all", async () => {
  const dir = tmp();
  try {
    const s1 = await runGrid({ grid: fakeGrid(), resultsDir: dir, workers: 0 });
    assert.equal(s1.total, 28);
    assert.equal(s1.done, 28);
    assert.equal(s1.failed.length, 0);
    const { columns, rows } = readResultsCsv(path.join(dir, "results.csv"));
    assert.deepEqual(columns, [...RESULT_COLUMNS]);
    assert.equal(rows.length, 24);
    const dense = readResultsCsv(path.join(dir, "dense.csv")).rows;
    assert.equal(dense.length, 4);
    for (const r of rows) {
      const d = dense.find((x) => x.cell_key === r.dense_key);
      assert.ok(d, "dense baseline present");
      assert.equal(r.dense_accuracy, d.accuracy);
      assert.ok(Math.abs((r.accuracy_drop as number) - ((d.accuracy as number) - (r.accuracy as number))) < 1e-12);
      assert.equal(r.backend, "fake");
      assert.equal(r.code_version, "test");
    }
    const s2 = await runGrid({ grid: fakeGrid(), resultsDir: dir, workers: 0 });
    assert.equal(s2.skipped, 28);
    assert.equal(s2.done, 0);
    assert.equal(readResultsCsv(path.join(dir, "results.csv")).rows.length, 24);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("failed cells are reported, not written, and retried on the next run", async () => {
  const dir = tmp();
  try {
    const s = await runGrid({ grid: fakeGrid({ executorOptions: { failPruner: "erk" } }), resultsDir: dir, workers: 0 });
    assert.equal(s.failed.length, 8);
    assert.ok(s.failed.every((f) => /erk/.test(f.label) && /fails on purpose/.test(f.message)));
    assert.equal(readResultsCsv(path.join(dir, "results.csv")).rows.length, 16);
    assert.match(readFileSync(path.join(dir, "failures.log"), "utf8"), /fails on purpose/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a torn last line is truncated on open and its cell runs again", async () => {
  const dir = tmp();
  try {
    await runGrid({ grid: fakeGrid(), resultsDir: dir, workers: 0 });
    const file = path.join(dir, "results.csv");
    const full = readFileSync(file, "utf8");
    const lines = full.trimEnd().split("\n");
    const last = lines[lines.length - 1];
    // Simulate a crash in the middle of writing the last row.
    writeFileSync(file, lines.slice(0, -1).join("\n") + "\n" + last.slice(0, 25));
    const s = await runGrid({ grid: fakeGrid(), resultsDir: dir, workers: 0 });
    assert.equal(s.repairedBytes, 25);
    assert.equal(s.done, 1);
    const after = readResultsCsv(file).rows;
    assert.equal(after.length, 24);
    assert.deepEqual(stable(after), stable(readResultsCsv(file).rows));
    const f = ResultsFile.open(file, RESULT_COLUMNS);
    try {
      assert.throws(() => f.append(after[0]), /already holds cell/);
    } finally {
      f.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("worker processes + shards + merge equal the unsharded in-process run", async () => {
  const base = tmp();
  try {
    const single = path.join(base, "single");
    await runGrid({ grid: fakeGrid(), resultsDir: single, workers: 0 });
    const shards: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = path.join(base, `shard${i}`);
      shards.push(d);
      const s = await runGrid({ grid: fakeGrid(), resultsDir: d, workers: 2, shard: parseShard(`${i}/3`) });
      assert.equal(s.failed.length, 0, JSON.stringify(s.failed));
    }
    const merged = path.join(base, "merged");
    const m = mergeResultDirs(shards, merged);
    assert.equal(m.results.rows, 24);
    assert.deepEqual(m.results.codeVersions, ["test"]);
    assert.ok(m.dense && m.dense.rows === 4 && m.dense.duplicates > 0, "dense baselines are recomputed per shard and de-duplicated");
    assert.deepEqual(stable(readResultsCsv(path.join(merged, "results.csv")).rows), stable(readResultsCsv(path.join(single, "results.csv")).rows));
    assert.deepEqual(stable(readResultsCsv(path.join(merged, "dense.csv")).rows), stable(readResultsCsv(path.join(single, "dense.csv")).rows));
    // Different headers are refused.
    const odd = path.join(base, "odd");
    await runGrid({ grid: fakeGrid(), resultsDir: odd, workers: 0 });
    const f = path.join(odd, "results.csv");
    writeFileSync(f, readFileSync(f, "utf8").replace("finished_at", "finished"));
    assert.throws(() => mergeResultDirs([single, odd], path.join(base, "m2")), /different header/);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("SIGKILL during a parallel run, then resume: nothing lost, nothing duplicated", async () => {
  const base = tmp();
  try {
    const gridFile = path.join(base, "grid.json");
    const grid = { ...fakeGrid({ executorOptions: { delayMs: 150 } }) };
    writeFileSync(gridFile, JSON.stringify(grid));
    const dir = path.join(base, "run");
    const bin = path.resolve(__dirname, "..", "..", "bin", "snn-topology.js");
    const child = spawn(process.execPath, [bin, "run", "--grid", gridFile, "--results", dir, "--workers", "2", "--quiet"], { stdio: "ignore" });
    // Wait until some but not all rows are written, then kill the parent without warning.
    const file = path.join(dir, "results.csv");
    const t0 = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 25));
      const n = existsSync(file) ? readFileSync(file, "utf8").split("\n").length - 2 : 0;
      if (n >= 3) break;
      assert.ok(Date.now() - t0 < 30_000, "grid run did not start");
    }
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const partial = readResultsCsv(file).rows.length;
    assert.ok(partial >= 3 && partial < 24, `killed mid-run (had ${partial} rows)`);
    // A torn line from the kill, made explicit.
    appendFileSync(file, "deadbeef,0.5,sni");
    const s = await runGrid({ grid: fakeGrid({ executorOptions: { delayMs: 150 } }), resultsDir: dir, workers: 2 });
    assert.equal(s.failed.length, 0);
    assert.equal(s.repairedBytes, "deadbeef,0.5,sni".length);
    assert.equal(s.skipped + s.done, 28);
    assert.ok(s.skipped >= 3 + 1, "rows written before the kill are not recomputed");
    const rows = readResultsCsv(file).rows;
    assert.equal(rows.length, 24);
    const reference = path.join(base, "ref");
    await runGrid({ grid: fakeGrid({ executorOptions: { delayMs: 150 } }), resultsDir: reference, workers: 0 });
    assert.deepEqual(stable(rows), stable(readResultsCsv(path.join(reference, "results.csv")).rows));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("rows of another code version or configuration are moved to an archive, never mixed in", async () => {
  const dir = tmp();
  try {
    await runGrid({ grid: fakeGrid(), resultsDir: dir, workers: 0 });
    const old = stable(readResultsCsv(path.join(dir, "results.csv")).rows);
    const lines: string[] = [];
    const s = await runGrid({ grid: fakeGrid({ codeVersion: "test2" }), resultsDir: dir, workers: 0, log: (l) => lines.push(l) });
    assert.equal(s.skipped, 0);
    assert.equal(s.done, 28);
    const now = readResultsCsv(path.join(dir, "results.csv")).rows;
    assert.equal(now.length, 24);
    assert.ok(now.every((r) => r.code_version === "test2"));
    const archives = readdirSync(dir).filter((f) => /^results\.stale-.*\.csv$/.test(f));
    assert.equal(archives.length, 1);
    assert.deepEqual(stable(readResultsCsv(path.join(dir, archives[0])).rows), old);
    assert.ok(lines.some((l) => /moved 24 rows/.test(l)));
    // A smaller grid keeps its own cells (same keys) and archives the rest.
    const s2 = await runGrid({ grid: fakeGrid({ codeVersion: "test2", pruners: ["snip"] }), resultsDir: dir, workers: 0 });
    assert.equal(s2.done, 0);
    assert.equal(readResultsCsv(path.join(dir, "results.csv")).rows.length, 8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("progress: counts only the cells to run, names the running cell and its stage, finishes once", async () => {
  const dir = tmp();
  try {
    const updates: [number, number, string | undefined][] = [];
    let finished = 0;
    const progress = { update: (d: number, t: number, l?: string) => void updates.push([d, t, l]), finish: () => void finished++ };
    await runGrid({ grid: fakeGrid({ pruners: ["snip"] }), resultsDir: dir, workers: 0, progress });
    assert.equal(finished, 1);
    assert.ok(updates.every(([, t]) => t === 12));
    for (let i = 1; i < updates.length; i++) assert.ok(updates[i][0] >= updates[i - 1][0]);
    assert.equal(updates[updates.length - 1][0], 12);
    assert.ok(updates.some(([, , l]) => l !== undefined && /mlp\/toy\/snip@0\.9\/seed1 work/.test(l)));
    // A second run over a partly done grid counts only what is left.
    updates.length = 0;
    await runGrid({ grid: fakeGrid({ pruners: ["snip", "erk"] }), resultsDir: dir, workers: 0, progress });
    assert.ok(updates.every(([, t]) => t === 8));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a worker that dies mid-cell fails only that cell; a fresh worker takes the rest", async () => {
  const dir = tmp();
  try {
    const grid = fakeGrid({ executorOptions: { crashPruner: "erk" } });
    const s = await runGrid({ grid, resultsDir: dir, workers: 2 });
    // erk × seed 0 × 2 architectures × 2 sparsities crash; everything else is written.
    assert.equal(s.failed.length, 4);
    assert.ok(s.failed.every((f) => /erk/.test(f.label) && /died while running the cell/.test(f.message)));
    assert.equal(readResultsCsv(path.join(dir, "results.csv")).rows.length, 20);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("one run per results folder: a second concurrent run is refused, a dead run's lock is taken over", async () => {
  const dir = tmp();
  try {
    const release = lockResultsDir(dir);
    await assert.rejects(runGrid({ grid: fakeGrid(), resultsDir: dir, workers: 0 }), /in use by another run \(pid \d+\)/);
    release();
    // A lock left by a process that no longer exists.
    writeFileSync(path.join(dir, ".lock"), "999999999");
    const s = await runGrid({ grid: fakeGrid(), resultsDir: dir, workers: 0 });
    assert.equal(s.done, 28);
    assert.ok(!existsSync(path.join(dir, ".lock")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("in a notebook (a display sink is present) the default progress is an updating display", async () => {
  const dir = tmp();
  const shown: { html: string; id?: string; update?: boolean }[] = [];
  setDisplaySink({ display: (b, id, update) => void shown.push({ html: b["text/html"] ?? "", id, update }) });
  try {
    await runGrid({ grid: fakeGrid({ pruners: ["snip"] }), resultsDir: dir, workers: 0 });
    assert.ok(shown.length >= 2);
    assert.ok(shown.every((s) => s.id === shown[0].id), "one display, updated in place");
    assert.equal(shown[0].update, false);
    assert.ok(shown.slice(1).every((s) => s.update === true));
    assert.match(shown[shown.length - 1].html, /grid fake: 12 cells done/);
  } finally {
    setDisplaySink(null);
    rmSync(dir, { recursive: true, force: true });
  }
});
