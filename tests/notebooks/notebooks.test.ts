// Executes every notebooks/*.ipynb headless with the project kernel (one process per notebook),
// then renders its HTML export in headless Chromium. A notebook fails on a thrown error, a
// TypeScript error, a cell timeout, tslab's asynchronous-error text on stderr, a chart that was
// emitted but not drawn, or a JavaScript error on the page. It must also be committed with its
// outputs cleared and name the project kernel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../../src/io/paths";
import { KERNEL_NAME } from "../../src/notebook/jupyter-env";
import { executeNotebook, renderCheck } from "../../src/notebook/runner";

const root = projectRoot();
const nbDir = path.join(root, "notebooks");
const work = path.join(root, ".cache", "notebook-tests");
mkdirSync(work, { recursive: true });
// SNN_NOTEBOOKS=02,03 runs only notebooks whose names contain one of these substrings.
const only = (process.env.SNN_NOTEBOOKS ?? "").split(",").filter((s) => s.length > 0);
const names = readdirSync(nbDir)
  .filter((f) => f.endsWith(".ipynb") && (only.length === 0 || only.some((s) => f.includes(s))))
  .sort();

interface NbJson {
  metadata?: { kernelspec?: { name?: string } };
  cells: { cell_type: string; outputs?: unknown[]; execution_count?: number | null }[];
}

test("notebooks/ holds notebooks", () => {
  assert.ok(readdirSync(nbDir).some((f) => f.endsWith(".ipynb")), "no notebooks/*.ipynb found");
});

// notebooks/README.md: notebooks import the library only through the stage entry points, whose names are the curated API.
const STAGES = ["nn", "io", "pruning", "train", "encoding", "metrics", "analysis", "experiment", "notebook"];
test("notebooks import the library only from stage entry points (./src/<stage>/index)", () => {
  const bad: string[] = [];
  for (const f of readdirSync(nbDir).filter((n) => n.endsWith(".ipynb")).sort()) {
    const nb = JSON.parse(readFileSync(path.join(nbDir, f), "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
    nb.cells.forEach((c, i) => {
      if (c.cell_type !== "code") return;
      const code = Array.isArray(c.source) ? c.source.join("") : c.source;
      for (const m of code.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)["']([^"']*src\/[^"']*)["']/g)) {
        const stage = /^\.\/src\/([a-z-]+)\/index$/.exec(m[1]);
        if (!stage || !STAGES.includes(stage[1])) bad.push(`${f} cell ${i}: ${m[1]}`);
      }
    });
  }
  assert.deepEqual(bad, [], "import these names from the stage's ./src/<stage>/index instead (export them there if missing)");
});

for (const name of names) {
  test(`notebook ${name}`, { timeout: 330_000 }, () => {
    const file = path.join(nbDir, name);
    const source = JSON.parse(readFileSync(file, "utf8")) as NbJson;
    assert.equal(source.metadata?.kernelspec?.name, KERNEL_NAME, `${name}: metadata.kernelspec.name must be "${KERNEL_NAME}"`);
    const withOutputs = source.cells.findIndex((c) => c.cell_type === "code" && ((c.outputs?.length ?? 0) > 0 || c.execution_count != null));
    assert.equal(withOutputs, -1, `${name}: cell ${withOutputs} has outputs; commit notebooks cleared (jupyter nbconvert --clear-output --inplace)`);

    const run = executeNotebook(file, { outDir: work, htmlDir: work, limitS: 300 });
    assert.ok(run.ok, `${name} failed after ${run.seconds} s: ${run.error}\n(executed notebook: ${run.executed})`);
    assert.ok(run.html, `${name}: no HTML export`);

    const page = renderCheck(run.html);
    assert.deepEqual(page.jsErrors, [], `${name}: JavaScript errors in the HTML export`);
    assert.ok(page.loaded, `${name}: the HTML export did not finish loading`);
    assert.equal(page.plotContainers, run.plots, `${name}: ${run.plots} charts emitted but ${page.plotContainers} drawn`);
  });
}
