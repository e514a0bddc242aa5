/**
 * Plotly figure specifications (plain JSON: `{data, layout}`) for the analysis results, so notebook
 * cells stay one line. Drawing is the notebook stage's job (src/notebook/plotly.ts `plot`); this
 * module only builds data, which keeps the stage order (analysis never imports notebook).
 * Every figure has a title and labelled axes with units.
 */
import type { ScoreRow, ShapResult, ShapRow, RankRow } from "./experiments";
import { Rng } from "../util/rng";

export interface FigureSpec {
  data: object[];
  layout: object;
}

const axis = (title: string, extra: object = {}): object => ({ title: { text: title }, automargin: true, ...extra });

/** Heatmap of a confusion matrix, rows normalised to recall (per true class). */
export function confusionFigure(confusion: number[][], classes: string[], title: string): FigureSpec {
  const z = confusion.map((row) => {
    const s = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (s > 0 ? v / s : 0));
  });
  const text = confusion.map((row) => row.map((v) => String(v)));
  return {
    data: [{ type: "heatmap", z, x: classes, y: classes, text, texttemplate: "%{text}", colorscale: [[0, "#f7fbff"], [0.5, "#6baed6"], [1, "#08306b"]], zmin: 0, zmax: 1, colorbar: { title: { text: "recall (fraction of true class)" } } }],
    layout: { title: { text: title }, xaxis: axis("predicted class"), yaxis: axis("true class", { autorange: "reversed" }), height: 520 },
  };
}

/**
 * Grouped bars of one metric from tidy score rows: one bar group per `group` of `groupBy`, one
 * colour per feature set.
 */
export function scoreBarsFigure(rows: ScoreRow[], metric: string, groupBy: string, title: string, yTitle: string): FigureSpec {
  const sel = rows.filter((r) => r.metric === metric && r.groupBy === groupBy);
  const sets = [...new Set(sel.map((r) => r.features))];
  const groups = [...new Set(sel.map((r) => r.group))];
  return {
    data: sets.map((f) => ({
      type: "bar",
      name: f,
      x: groups,
      y: groups.map((g) => sel.find((r) => r.features === f && r.group === g)?.value ?? null),
    })),
    layout: { title: { text: title }, barmode: "group", xaxis: axis(groupBy === "sparsity" ? "target sparsity (fraction of weights removed)" : groupBy), yaxis: axis(yTitle) },
  };
}

/** Predicted vs true scatter with the identity line. */
export function predictedVsTrueFigure(truth: ArrayLike<number>, pred: ArrayLike<number>, labels: string[], title: string, unit: string): FigureSpec {
  const groups = [...new Set(labels)].sort();
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < truth.length; i++) {
    lo = Math.min(lo, truth[i], pred[i]);
    hi = Math.max(hi, truth[i], pred[i]);
  }
  return {
    data: [
      ...groups.map((g) => {
        const idx = labels.map((l, i) => (l === g ? i : -1)).filter((i) => i >= 0);
        return { type: "scatter", mode: "markers", name: g, x: idx.map((i) => truth[i]), y: idx.map((i) => pred[i]), marker: { size: 4, opacity: 0.6 } };
      }),
      { type: "scatter", mode: "lines", name: "y = x", x: [lo, hi], y: [lo, hi], line: { dash: "dash", color: "grey" } },
    ],
    layout: { title: { text: title }, xaxis: axis(`true ${unit}`), yaxis: axis(`predicted (out-of-fold) ${unit}`) },
  };
}

/** Horizontal bars of mean |SHAP| for one group (default: all rows). */
export function shapBarFigure(rows: ShapRow[], title: string, unit: string, groupBy = "all", group = "all"): FigureSpec {
  const sel = rows.filter((r) => r.groupBy === groupBy && r.group === group).sort((a, b) => a.meanAbsShap - b.meanAbsShap);
  return {
    data: [{ type: "bar", orientation: "h", x: sel.map((r) => r.meanAbsShap), y: sel.map((r) => r.feature) }],
    layout: { title: { text: title }, xaxis: axis(`mean |SHAP value| (${unit})`), yaxis: axis("topometric"), height: 120 + 22 * sel.length },
  };
}

/** Heatmap of mean |SHAP| per feature (rows) and group (columns) of `groupBy`. */
export function shapHeatmapFigure(rows: ShapRow[], groupBy: string, title: string, unit: string): FigureSpec {
  const sel = rows.filter((r) => r.groupBy === groupBy);
  const groups = [...new Set(sel.map((r) => r.group))];
  const overall = rows.filter((r) => r.groupBy === "all").sort((a, b) => b.meanAbsShap - a.meanAbsShap);
  const feats = overall.length > 0 ? overall.map((r) => r.feature) : [...new Set(sel.map((r) => r.feature))];
  const z = feats.map((f) => groups.map((g) => sel.find((r) => r.feature === f && r.group === g)?.meanAbsShap ?? null));
  return {
    data: [{ type: "heatmap", z, x: groups, y: feats, colorscale: "Viridis", colorbar: { title: { text: `mean |SHAP| (${unit})` } } }],
    layout: {
      title: { text: title },
      xaxis: axis(groupBy === "sparsity" ? "target sparsity (fraction of weights removed)" : groupBy, { type: "category" }),
      yaxis: axis("topometric (most important overall on top)", { autorange: "reversed" }),
      height: 140 + 24 * feats.length,
    },
  };
}

/**
 * Beeswarm-style summary: one row per feature (most important on top), one dot per network at its
 * SHAP value, vertical jitter (seeded), colour = the feature value's rank within the feature
 * (0 = lowest, 1 = highest), as in shap's summary_plot. At most `maxPoints` networks (seeded sample).
 */
export function shapBeeswarmFigure(s: ShapResult, title: string, unit: string, maxPoints = 800, seed = 0): FigureSpec {
  const p = s.names.length;
  const n = s.shap.length / p;
  const rng = new Rng(seed);
  const rows = n <= maxPoints ? Array.from({ length: n }, (_, i) => i) : Array.from(rng.permutation(n).subarray(0, maxPoints)).sort((a, b) => a - b);
  const imp = s.names.map((_, j) => {
    let a = 0;
    for (let i = 0; i < n; i++) a += Math.abs(s.shap[i * p + j]);
    return a / n;
  });
  const order = s.names.map((_, j) => j).sort((a, b) => imp[a] - imp[b]);
  const x: number[] = [];
  const y: number[] = [];
  const c: number[] = [];
  const text: string[] = [];
  order.forEach((j, pos) => {
    const vals = rows.map((i) => s.values[i * p + j]).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    for (const i of rows) {
      const v = s.values[i * p + j];
      x.push(s.shap[i * p + j]);
      y.push(pos + (rng.next() - 0.5) * 0.6);
      // Rank within the feature; NaN (missing) values plotted grey via -1 → cmin.
      c.push(Number.isNaN(v) || vals.length < 2 ? 0.5 : lowerBound(vals, v) / (vals.length - 1));
      text.push(`${s.names[j]} = ${v}`);
    }
  });
  return {
    data: [
      {
        type: "scatter",
        mode: "markers",
        x,
        y,
        text,
        hoverinfo: "text+x",
        marker: { size: 3, color: c, colorscale: [[0, "#1f77b4"], [1, "#d62728"]], cmin: 0, cmax: 1, colorbar: { title: { text: "feature value (rank: 0 lowest, 1 highest)" } } },
        showlegend: false,
      },
    ],
    layout: {
      title: { text: title },
      xaxis: axis(`SHAP value (impact on the predicted ${unit})`, { zeroline: true }),
      yaxis: axis("topometric", { tickvals: order.map((_, pos) => pos), ticktext: order.map((j) => s.names[j]) }),
      height: 140 + 26 * p,
    },
  };
}

function lowerBound(sorted: number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Mean Kendall τ per sparsity (or model) and feature set from ranking rows. */
export function rankingFigure(rows: RankRow[], by: "sparsity" | "model", title: string): FigureSpec {
  const sets = [...new Set(rows.map((r) => r.features))];
  const groups = [...new Set(rows.map((r) => String(r[by])))].sort((a, b) => (by === "sparsity" ? Number(a) - Number(b) : a < b ? -1 : 1));
  return {
    data: sets.map((f) => ({
      type: "bar",
      name: f,
      x: groups,
      y: groups.map((g) => {
        const sel = rows.filter((r) => r.features === f && String(r[by]) === g && !Number.isNaN(r.kendallTau));
        return sel.length > 0 ? sel.reduce((a, r) => a + r.kendallTau, 0) / sel.length : null;
      }),
    })),
    layout: {
      title: { text: title },
      barmode: "group",
      xaxis: axis(by === "sparsity" ? "target sparsity (fraction of weights removed)" : "architecture", { type: "category" }),
      yaxis: axis("mean Kendall τ-b (predicted vs true ranking, −1…1)", { range: [-1, 1] }),
    },
  };
}

/** Scatter of y against x coloured by label, for at most `maxPoints` points (seeded sample). */
export function scatterFigure(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  labels: string[],
  title: string,
  xTitle: string,
  yTitle: string,
  maxPoints = 4000,
  seed = 0,
): FigureSpec {
  const n = x.length;
  const rows = n <= maxPoints ? Array.from({ length: n }, (_, i) => i) : Array.from(new Rng(seed).permutation(n).subarray(0, maxPoints)).sort((a, b) => a - b);
  const groups = [...new Set(labels)].sort();
  return {
    data: groups.map((g) => {
      const idx = rows.filter((i) => labels[i] === g && Number.isFinite(x[i]) && Number.isFinite(y[i]));
      return { type: "scatter", mode: "markers", name: g, x: idx.map((i) => x[i]), y: idx.map((i) => y[i]), marker: { size: 4, opacity: 0.5 } };
    }),
    layout: { title: { text: title }, xaxis: axis(xTitle), yaxis: axis(yTitle) },
  };
}
