// `npm start`'s closing summary: every notebook's report is complete, partial (with the reason: the
// paper-data note found in its HTML) or missing (none, or only a stale one from before this run).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { reportStates } from "../../src/cli/start";
import { PAPER_DATA_UNAVAILABLE_TITLE } from "../../src/notebook/paper-data";

test("reports are complete, partial (paper data) or missing (absent or stale)", (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "snn-start-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const nb = path.join(dir, "notebooks");
  const rep = path.join(dir, "reports");
  mkdirSync(nb);
  mkdirSync(rep);
  for (const n of ["01-a", "03-b", "04-c", "07-d"]) writeFileSync(path.join(nb, `${n}.ipynb`), "{}");
  writeFileSync(path.join(nb, "notes.txt"), "");
  writeFileSync(path.join(rep, "01-a.html"), "<html>charts</html>");
  writeFileSync(path.join(rep, "03-b.html"), `<html><h3>${PAPER_DATA_UNAVAILABLE_TITLE}</h3></html>`);
  writeFileSync(path.join(rep, "07-d.html"), "<html>old</html>");
  const since = Date.now() - 1000;
  utimesSync(path.join(rep, "07-d.html"), new Date(since - 60_000), new Date(since - 60_000));
  const s = reportStates(nb, rep, since);
  assert.deepEqual(s.map((r) => [r.notebook, r.state]), [["01-a.ipynb", "complete"], ["03-b.ipynb", "partial"], ["04-c.ipynb", "missing"], ["07-d.ipynb", "missing"]]);
  assert.match(s[1].why ?? "", /paper's released data are not available \(npm run fetch-paper-data/);
  assert.equal(reportStates(nb, rep, 0)[3].state, "complete", "without a start time any report counts");
});
