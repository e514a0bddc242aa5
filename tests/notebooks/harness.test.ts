// The notebook harness must catch each way a notebook can go wrong (fixtures/*.ipynb are
// deliberately broken notebooks), so a passing notebooks.test.ts means something.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../../src/io/paths";
import { executeNotebook, renderCheck } from "../../src/notebook/runner";

const fixtures = path.join(projectRoot(), "tests", "notebooks", "fixtures");
const work = path.join(projectRoot(), ".cache", "notebook-harness");
mkdirSync(work, { recursive: true });
const run = (name: string) => executeNotebook(path.join(fixtures, name), { outDir: work, htmlDir: work, cellTimeoutS: 30, limitS: 120 });

test("a thrown error fails the notebook and reports the cell's stack", { timeout: 150_000 }, () => {
  const r = run("throws.ipynb");
  assert.equal(r.ok, false);
  assert.equal(r.failedCell, 1);
  assert.match(r.error ?? "", /fixture: boom/);
});

test("a TypeScript error fails the notebook with the compiler message", { timeout: 150_000 }, () => {
  const r = run("type-error.ipynb");
  assert.equal(r.ok, false);
  assert.match(r.error ?? "", /Type 'string' is not assignable to type 'number'/);
});

test("an unhandled rejection fails the notebook although tslab lets the cell pass", { timeout: 150_000 }, () => {
  const r = run("async-error.ipynb");
  assert.equal(r.ok, false);
  assert.equal(r.asyncErrors.length, 1);
  assert.match(r.error ?? "", /UnhandledPromiseRejection: Error: fixture: floating rejection/);
});

test("the render check sees an undrawn chart and a page script error", { timeout: 150_000 }, () => {
  const r = run("undrawn-plot.ipynb");
  assert.ok(r.ok, r.error ?? "");
  assert.equal(r.plots, 1);
  const page = renderCheck(r.html ?? "", 3000);
  assert.equal(page.plotContainers, 0);
  assert.equal(page.jsErrors.length, 1);
  assert.match(page.jsErrors[0], /noSuchFunction/);
});
