/**
 * Plotly charts in notebooks, rendered offline: plotly.js (npm plotly.js-dist-min 4.x, 4.8 MB) is
 * inlined once per kernel session as a text/html output, and each chart is a text/html output
 * holding a <div> and a `Plotly.newPlot` call. This is the only form that renders both in the
 * classic Notebook (once trusted) and in nbconvert's HTML export; the plotly MIME type alone
 * renders nothing there (docs/feasibility-kernel.md §3). plotly.js 2.x must not be used: its UMD
 * wrapper registers with require.js (on the page in both front-ends) and never sets window.Plotly.
 *
 * Charts carry `data-snn-plot` so tests can count emitted charts against drawn ones.
 */
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { show } from "./output";

/** A plotly figure: traces and layout, as plotly.js takes them (plain JSON). */
export interface Figure {
  readonly data: readonly object[];
  readonly layout?: object;
  readonly config?: object;
}

export interface PlotOptions {
  /** CSS width of the chart box (default "100%", max 900px). */
  readonly width?: string;
  /** CSS height (default "420px"). */
  readonly height?: string;
}

/** Attribute marking chart outputs; the notebook tests count it. */
export const PLOT_MARKER = "data-snn-plot";

let plotlyEmitted = false;
let plotCounter = 0;

/** The plotly.js bundle text. Throws if the package is missing or is not 4.x or later. */
export function plotlyBundle(): string {
  let file: string;
  try {
    file = require.resolve("plotly.js-dist-min");
  } catch {
    throw new Error("notebook/plotly: package plotly.js-dist-min is not installed (npm ci)");
  }
  const pkg: unknown = JSON.parse(readFileSync(require.resolve("plotly.js-dist-min/package.json"), "utf8"));
  const version = typeof pkg === "object" && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
  const major = typeof version === "string" ? Number(version.split(".")[0]) : NaN;
  if (!(major >= 4)) {
    throw new Error(`notebook/plotly: plotly.js-dist-min ${String(version)} found; 4.x or later is needed (2.x breaks under require.js)`);
  }
  return readFileSync(file, "utf8");
}

/**
 * Emits plotly.js inline (once per kernel session; later calls do nothing).
 * `plot` calls it itself, so calling it explicitly only moves the 4.8 MB output to a chosen cell.
 * `force` emits it again (after the page was reloaded while the kernel kept running).
 */
export function plotlyInit(force = false): void {
  if (plotlyEmitted && !force) return;
  // "</script" inside the bundle would end the element early; plotly 4.1.2 has none, but be safe.
  const js = plotlyBundle().replace(/<\/script/gi, "<\\/script");
  const content = `<script type="text/javascript">${js}</script>`;
  show({ "text/html": content, "text/plain": "(plotly.js loaded)" });
  plotlyEmitted = true;
}

/** JSON that is safe inside an inline <script>. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/**
 * The HTML of one chart. The div id is deterministic (a counter and a hash of the figure), so an
 * executed notebook is byte-stable across runs, yet two sessions drawing different figures into
 * one page do not collide.
 */
export function plotHtml(figure: Figure, options: PlotOptions = {}): string {
  if (!Array.isArray(figure.data)) throw new Error("notebook/plotly: figure.data must be an array of traces");
  const dataJson = scriptJson(figure.data);
  const layoutJson = scriptJson(figure.layout ?? {});
  const configJson = scriptJson({ responsive: true, displaylogo: false, ...(figure.config ?? {}) });
  const hash = createHash("sha1").update(dataJson).update(layoutJson).digest("hex").slice(0, 8);
  const id = `snn-plot-${plotCounter++}-${hash}`;
  const width = options.width ?? "100%";
  const height = options.height ?? "420px";
  return (
    `<div id="${id}" ${PLOT_MARKER}="1" style="width:${width};max-width:900px;height:${height}"></div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `  var el = document.getElementById(${JSON.stringify(id)});\n` +
    `  if (!window.Plotly) { el.textContent = "plotly.js is not loaded: run plotlyInit(true), or trust the notebook"; return; }\n` +
    `  window.Plotly.newPlot(el, ${dataJson}, ${layoutJson}, ${configJson});\n` +
    `})();</script>`
  );
}

/** A text/plain stand-in for a chart: its title and trace names. */
function plainSummary(figure: Figure): string {
  const layout = (figure.layout ?? {}) as { title?: unknown };
  const t = layout.title;
  const title = typeof t === "string" ? t : typeof t === "object" && t !== null ? String((t as { text?: unknown }).text ?? "") : "";
  const names = figure.data.map((tr, i) => {
    const n = (tr as { name?: unknown }).name;
    return typeof n === "string" ? n : `trace ${i}`;
  });
  return `<plotly chart${title ? `: ${title}` : ""} (${names.join(", ")})>`;
}

/** Shows a chart, emitting plotly.js first if this kernel session has not. */
export function plot(figure: Figure, options: PlotOptions = {}): void {
  const content = plotHtml(figure, options);
  plotlyInit();
  show({ "text/html": content, "text/plain": plainSummary(figure) });
}

/** Forgets that plotly.js was emitted and restarts chart ids (tests; a fresh notebook page). */
export function resetPlotly(): void {
  plotlyEmitted = false;
  plotCounter = 0;
}
