// Unit tests of the notebook display helpers outside a kernel: pure HTML/SVG builders are parsed
// back and compared with their inputs; show-functions are observed through an installed sink.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import {
  escapeHtml,
  htmlTable,
  table,
  formatNumber,
  columnsToRows,
  plotHtml,
  plot,
  plotlyInit,
  resetPlotly,
  markdown,
  progressDisplay,
  layeredGraphSvg,
  drawLayeredGraph,
  setDisplaySink,
  inKernel,
  jupyterEnv,
  resultsFile,
  PLOT_MARKER,
  type MimeBundle,
} from "../../src/notebook/index";
import { csrFromEdges, type Partition } from "../../src/encoding/csr";
import { projectRoot } from "../../src/io/paths";

interface Shown {
  bundle: MimeBundle;
  id?: string;
  update?: boolean;
}

function capture(): Shown[] {
  const shown: Shown[] = [];
  setDisplaySink({ display: (bundle, id, update) => shown.push({ bundle, id, update }) });
  return shown;
}

function unescapeHtml(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

/** Rows of <td> texts (and the <th> header) of a table, parsed back from HTML. */
function parseTable(html: string): { head: string[]; rows: string[][] } {
  const head = [...html.matchAll(/<th(?: [^>]*)?>(.*?)<\/th>/g)].map((m) => unescapeHtml(m[1]));
  const body = html.split("<tbody>")[1].split("</tbody>")[0];
  const rows = [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) => [...r[1].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => unescapeHtml(m[1])));
  return { head, rows };
}

test("plain Node is not a kernel and does not load tslab", () => {
  setDisplaySink(null);
  assert.equal(inKernel(), false);
  // Show-functions are no-ops without a sink.
  markdown("x");
  plot({ data: [] });
  assert.equal(Object.keys(require.cache).some((k) => k.includes(`${path.sep}tslab${path.sep}`)), false);
  resetPlotly();
});

test("escapeHtml escapes every markup character and round-trips", () => {
  const s = `<script>alert("x" & 'y')</script>`;
  const e = escapeHtml(s);
  assert.doesNotMatch(e, /[<>"']/);
  assert.equal(unescapeHtml(e), s);
});

test("formatNumber: integers in full, fractions to significant digits, specials", () => {
  assert.equal(formatNumber(1234567), "1,234,567");
  assert.equal(formatNumber(-42), "-42");
  assert.equal(formatNumber(3.14159265), "3.142");
  assert.equal(formatNumber(12345.678), "12,346");
  assert.equal(formatNumber(0.000123456), "0.0001235");
  assert.equal(formatNumber(0.5), "0.5");
  assert.equal(formatNumber(1.5e-7), "1.500e-7");
  assert.equal(formatNumber(NaN), "NaN");
  assert.equal(formatNumber(Infinity), "∞");
  assert.equal(formatNumber(3.14159265, 2), "3.1");
});

test("htmlTable from rows: header, escaped cells, formatted numbers, missing cells empty", () => {
  const rows = [
    { layer: "<conv1>", nodes: 1024, density: 0.123456 },
    { layer: "fc & out", nodes: 10, density: null },
  ];
  const t = parseTable(htmlTable(rows, { caption: "a < b" }));
  assert.deepEqual(t.head, ["layer", "nodes", "density"]);
  assert.deepEqual(t.rows, [
    ["<conv1>", "1,024", "0.1235"],
    ["fc & out", "10", ""],
  ]);
  assert.match(htmlTable(rows, { caption: "a < b" }), /<caption[^>]*>a &lt; b<\/caption>/);
  assert.doesNotMatch(htmlTable(rows), /<conv1>/);
});

test("htmlTable from columns (typed arrays), column subset, custom format, maxRows", () => {
  const cols = { name: ["a", "b", "c"], edges: new Int32Array([5, 6, 7]), w: new Float32Array([0.5, 0.25, 2]) };
  assert.deepEqual(columnsToRows(cols)[2], { name: "c", edges: 7, w: 2 });
  const t = parseTable(htmlTable(cols, { columns: ["w", "name"], format: { w: (v) => `${Number(v) * 100}%` }, maxRows: 2 }));
  assert.deepEqual(t.head, ["w", "name"]);
  assert.deepEqual(t.rows, [["50%", "a"], ["25%", "b"]]);
  assert.match(htmlTable(cols, { maxRows: 2 }), /1 more rows/);
  assert.throws(() => htmlTable({ a: [1, 2], b: [1] }), /notebook\/table: column "b" has 1 values/);
});

test("table shows one bundle with the same HTML and a text fallback", () => {
  const shown = capture();
  table([{ a: 1, b: "x" }]);
  setDisplaySink(null);
  assert.equal(shown.length, 1);
  assert.equal(shown[0].bundle["text/html"], htmlTable([{ a: 1, b: "x" }]));
  assert.equal(shown[0].bundle["text/plain"], "a\tb\n1\tx");
});

test("plotHtml embeds the figure losslessly, escapes </script>, and uses unique ids", () => {
  resetPlotly();
  const fig = {
    data: [{ x: [1, 2, 3], y: [0.5, -1, 1e-9], type: "scatter", name: "</script><b>evil</b>" }],
    layout: { title: { text: "edges per layer" }, xaxis: { title: { text: "layer" } } },
  };
  const h1 = plotHtml(fig);
  const h2 = plotHtml(fig);
  const id1 = /id="([^"]+)"/.exec(h1)?.[1];
  const id2 = /id="([^"]+)"/.exec(h2)?.[1];
  assert.ok(id1 && id2 && id1 !== id2);
  assert.match(h1, new RegExp(`${PLOT_MARKER}="1"`));
  const script = h1.split('<script type="text/javascript">')[1];
  assert.equal(script.indexOf("</script"), script.length - "</script>".length, "only the closing tag");
  const call = /newPlot\(el, (.*), (.*), (.*)\);\n\}\)\(\);<\/script>$/.exec(h1);
  assert.ok(call, "newPlot call found");
  assert.deepEqual(JSON.parse(call[1]), fig.data);
  assert.deepEqual(JSON.parse(call[2]), fig.layout);
  assert.equal(JSON.parse(call[3]).displaylogo, false);
  resetPlotly();
  assert.equal(plotHtml(fig), h1, "deterministic after a reset");
  assert.throws(() => plotHtml({ data: {} as unknown as object[] }), /figure.data must be an array/);
});

test("plot emits plotly.js once per session, then one chart per call", () => {
  resetPlotly();
  const shown = capture();
  plot({ data: [{ y: [1, 2], type: "bar" }], layout: { title: "first" } });
  plot({ data: [{ y: [3], type: "bar", name: "b" }] });
  plotlyInit();
  setDisplaySink(null);
  assert.equal(shown.length, 3);
  assert.match(shown[0].bundle["text/html"], /^<script type="text\/javascript">/);
  assert.ok(shown[0].bundle["text/html"].length > 1_000_000, "plotly.js inlined");
  assert.match(shown[0].bundle["text/html"], /window\.Plotly|Plotly/);
  assert.equal(shown[1].bundle["text/plain"], "<plotly chart: first (trace 0)>");
  assert.equal(shown[2].bundle["text/plain"], "<plotly chart (b)>");
  assert.ok(shown.slice(1).every((s) => s.bundle["text/html"].includes(PLOT_MARKER)));
  resetPlotly();
});

test("progressDisplay: creates one display, replaces it in place, throttles, always draws the end", () => {
  let clock = 1000;
  const shown = capture();
  const p = progressDisplay("train <net>", { intervalMs: 100, now: () => clock });
  p.update(0, 10, "epoch 0");
  clock += 50;
  p.update(1, 10); // throttled
  clock += 60;
  p.update(2, 10, "a&b"); // drawn
  clock += 10;
  p.update(10, 10); // last step always drawn
  clock += 2000;
  p.finish("trained");
  setDisplaySink(null);
  assert.equal(shown.length, 4);
  const id = shown[0].id;
  assert.ok(id);
  assert.deepEqual(shown.map((s) => [s.id, s.update]), [[id, false], [id, true], [id, true], [id, true]]);
  assert.match(shown[1].bundle["text/html"], /20\.0% \(2\/10\)/);
  assert.match(shown[1].bundle["text/html"], /a&amp;b/);
  assert.match(shown[0].bundle["text/html"], /train &lt;net&gt;/);
  assert.match(shown[3].bundle["text/plain"], /^train <net>: trained in 00:02$/);
  const q = progressDisplay("other");
  const shown2 = capture();
  q.update(1, 2);
  setDisplaySink(null);
  assert.notEqual(shown2[0].id, id, "each progress display has its own id");
});

test("layeredGraphSvg: one circle per node, one line per edge, columns per partition", () => {
  const parts: Partition[] = [
    { name: "input", start: 0, size: 8, channels: 2, height: 2, width: 2 },
    { name: "conv<1>", start: 8, size: 4, channels: 1, height: 2, width: 2 },
    { name: "fc", start: 12, size: 3, channels: 3, height: 1, width: 1 },
  ];
  const src = [0, 1, 4, 5, 8, 9, 10, 10];
  const dst = [8, 9, 8, 11, 12, 13, 12, 14];
  const w = [0.1, 0.2, 0.3, 0.4, 1, 2, 3, -4];
  const g = csrFromEdges(15, src, dst, w, parts);
  const svg = layeredGraphSvg(g, { title: "tiny & small", columnGap: 100 });
  const circles = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="[\d.]+" fill="([^"]+)"/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    fill: m[3],
  }));
  const lines = [...svg.matchAll(/<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"/g)].map((m) => m.slice(1, 5).map(Number));
  assert.equal(circles.length, 15);
  assert.equal(lines.length, 8);
  // Columns: every node of partition p sits at the same x, increasing with p.
  const xOf = (v: number) => circles[v].x;
  assert.equal(new Set([0, 1, 2, 3, 4, 5, 6, 7].map(xOf)).size, 1);
  assert.equal(xOf(8) - xOf(0), 100);
  assert.equal(xOf(12) - xOf(8), 100);
  // Within a column, y increases with the node index.
  for (let v = 1; v < 8; v++) assert.ok(circles[v].y > circles[v - 1].y);
  // Every line joins the circles of its edge's endpoints.
  const want = src.map((s, i) => [circles[s].x, circles[s].y, circles[dst[i]].x, circles[dst[i]].y].join(",")).sort();
  assert.deepEqual(lines.map((l) => l.join(",")).sort(), want);
  // Nodes without edges are hollow: inputs 2, 3, 6, 7.
  const hollow = circles.map((c, v) => (c.fill === "white" ? v : -1)).filter((v) => v >= 0);
  assert.deepEqual(hollow, [2, 3, 6, 7]);
  assert.match(svg, /tiny &amp; small/);
  assert.match(svg, /conv&lt;1&gt;/);
  assert.doesNotMatch(svg, /NaN/);
});

test("layeredGraphSvg refuses big or malformed graphs; drawLayeredGraph shows SVG", () => {
  const big = csrFromEdges(3000, [], [], null);
  assert.throws(() => layeredGraphSvg(big), /3000 nodes exceed the drawing limit of 2000/);
  const bad = csrFromEdges(4, [0], [1], null, [
    { name: "a", start: 0, size: 2, channels: 2, height: 1, width: 1 },
    { name: "b", start: 3, size: 1, channels: 1, height: 1, width: 1 },
  ]);
  assert.throws(() => layeredGraphSvg(bad), /partition "b" starts at 3, expected 2/);
  const shown = capture();
  drawLayeredGraph(csrFromEdges(2, [0], [1], null));
  setDisplaySink(null);
  assert.equal(shown.length, 1);
  assert.match(shown[0].bundle["image/svg+xml"], /^<svg /);
  const uri = /src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)"/.exec(shown[0].bundle["text/html"]);
  assert.ok(uri, "text/html carries the picture as a data URI");
  assert.equal(Buffer.from(uri[1], "base64").toString("utf8"), shown[0].bundle["image/svg+xml"]);
});

test("jupyterEnv puts the project kernel folder first on JUPYTER_PATH", () => {
  const env = jupyterEnv("/p", { JUPYTER_PATH: "/other", PATH: "/bin" });
  assert.equal(env.JUPYTER_PATH, `/p/kernel-setup/jupyter${path.delimiter}/other`);
  assert.equal(env.JUPYTER_RUNTIME_DIR, "/p/.cache/jupyter-runtime");
  assert.equal(env.PATH, "/bin");
  assert.equal(jupyterEnv("/p", {}).JUPYTER_PATH, "/p/kernel-setup/jupyter");
});

test("resultsFile: SNN_RESULTS_FILE wins, else the default under the project root", () => {
  const saved = process.env.SNN_RESULTS_FILE;
  try {
    delete process.env.SNN_RESULTS_FILE;
    assert.equal(resultsFile("results/grid.csv"), path.join(projectRoot(), "results", "grid.csv"));
    process.env.SNN_RESULTS_FILE = "/tmp/other.csv";
    assert.equal(resultsFile("results/grid.csv"), "/tmp/other.csv");
  } finally {
    if (saved === undefined) delete process.env.SNN_RESULTS_FILE;
    else process.env.SNN_RESULTS_FILE = saved;
  }
});
