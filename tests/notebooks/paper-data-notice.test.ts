// The notebooks' paper-data notice: where the data are, or a "not available — how to get it" cell
// naming the places searched, the fetch command and the notebook to re-run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PAPER_DATA_UNAVAILABLE_TITLE, paperDataNoticeMarkdown } from "../../src/notebook/paper-data";
import type { PaperDataStatus } from "../../src/io/paper-data";

const searched = [{ dir: "/p/data/paper-data", source: "cache" as const }, { dir: "/shared/paper-data", source: "../shared" as const }];

test("unavailable: the heading start looks for, the places searched, the command and the re-run", () => {
  const status: PaperDataStatus = { available: false, dir: "/p/data/paper-data", source: "cache", searched, missing: ["LICENSE"] };
  const md = paperDataNoticeMarkdown("Sections 4 and 5", "03", status);
  assert.ok(md.startsWith(`### ${PAPER_DATA_UNAVAILABLE_TITLE}\n`));
  assert.match(md, /Sections 4 and 5 needs the paper's released metrics/);
  assert.match(md, /searched `\/p\/data\/paper-data`, `\/shared\/paper-data`/);
  assert.match(md, /`npm run fetch-paper-data`/);
  assert.match(md, /`npm run notebooks -- 03`/);
  assert.match(md, /`SNN_PAPER_DATA=\/path\/to\/paper-data npm run notebooks -- 03`/);
});

test("available: one line naming the folder and where it came from", () => {
  const md = paperDataNoticeMarkdown("x", "04", { available: true, dir: "/shared/paper-data", source: "../shared", searched, missing: [] });
  assert.equal(md, "Released data: `/shared/paper-data` (../shared).");
  assert.ok(!md.includes(PAPER_DATA_UNAVAILABLE_TITLE));
});
