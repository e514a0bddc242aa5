/** Notebook display helpers (tslab): charts, tables, Markdown, progress bars, layered graph pictures, whole-MGE pictures. */
export {
  type MimeBundle,
  type DisplaySink,
  type DisplayHandle,
  setDisplaySink,
  currentSink,
  inKernel,
  show,
  newDisplayHandle,
  escapeHtml,
  html,
  markdown,
} from "./output";
export { type Figure, type PlotOptions, PLOT_MARKER, plotlyInit, plotlyBundle, plotHtml, plot, resetPlotly } from "./plotly";
export { type Cell, type Row, type Columns, type TableOptions, formatNumber, columnsToRows, htmlTable, table } from "./table";
export { type ProgressDisplayOptions, progressDisplay, progressHtml } from "./progress";
export { type LayeredGraphOptions, layeredGraphSvg, drawLayeredGraph } from "./graph-svg";
export { KERNEL_NAME, jupyterPathDir, jupyterEnv } from "./jupyter-env";
export { resultsFile } from "./params";
export * from "./mge-picture/index";
export { PAPER_DATA_UNAVAILABLE_TITLE, paperDataNoticeMarkdown, paperDataNotice } from "./paper-data";
