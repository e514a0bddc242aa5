/**
 * Where notebook displays go. Inside the tslab kernel every display is sent as a Jupyter
 * `display_data` (or `update_display_data`) message through tslab's own writer; anywhere else
 * (plain Node, tests, the CLI) displays go to a sink installed with `setDisplaySink`, or nowhere.
 * Display helpers return nothing (tslab would print a returned value as the cell's result);
 * each has a pure twin that returns the HTML/SVG text (plotHtml, htmlTable, layeredGraphSvg),
 * which is what tests and other front-ends use.
 *
 * tslab's public `display.*` sends one MIME type per output; its internal writer
 * (`tslab/dist/jupyter`.lastWriteDisplayData, tslab 1.0.22) sends a bundle, which lets a chart
 * carry a text/plain fallback. The writer is looked up in `require.cache` only, so plain Node
 * never loads tslab (and its 38 MB TypeScript fork) just to find out it is not in a kernel.
 */
import { randomBytes } from "node:crypto";

/** MIME type → content, e.g. { "text/html": "<b>x</b>", "text/plain": "x" }. */
export type MimeBundle = Readonly<Record<string, string>>;

export interface DisplaySink {
  /**
   * Shows `bundle`. With `displayId`, the output can be replaced later: `update` false creates it,
   * `update` true replaces every output created with that id.
   */
  display(bundle: MimeBundle, displayId?: string, update?: boolean): void;
}

type TslabWriter = (
  msg: { data: MimeBundle; metadata: Record<string, never>; transient: { display_id?: string } },
  update: boolean,
) => void;

let installedSink: DisplaySink | null = null;

/** Routes displays to `sink` (tests, custom front-ends); `null` restores the default. */
export function setDisplaySink(sink: DisplaySink | null): void {
  installedSink = sink;
}

function tslabWriter(): TslabWriter | null {
  let file: string;
  try {
    file = require.resolve("tslab/dist/jupyter");
  } catch {
    return null;
  }
  const mod: unknown = require.cache[file]?.exports;
  if (typeof mod !== "object" || mod === null) return null;
  const writer: unknown = (mod as { lastWriteDisplayData?: unknown }).lastWriteDisplayData;
  return typeof writer === "function" ? (writer as TslabWriter) : null;
}

/** True when running inside a tslab kernel that is executing a cell. */
export function inKernel(): boolean {
  return tslabWriter() !== null;
}

/** The sink in effect now: the installed one, else tslab's writer, else null (displays are dropped). */
export function currentSink(): DisplaySink | null {
  if (installedSink) return installedSink;
  const writer = tslabWriter();
  if (!writer) return null;
  return {
    display(bundle: MimeBundle, displayId?: string, update = false): void {
      writer({ data: bundle, metadata: {}, transient: displayId ? { display_id: displayId } : {} }, update);
    },
  };
}

/** Sends `bundle` to the current sink, if any. */
export function show(bundle: MimeBundle): void {
  currentSink()?.display(bundle);
}

/** An output that can be replaced in place (progress bars, live tables). */
export interface DisplayHandle {
  /** Replaces the output (the first call creates it). */
  update(bundle: MimeBundle): void;
}

/**
 * A new replaceable output. Its display id is random on purpose: ids are transient (not saved
 * in the .ipynb), and the notebook front-end keeps old outputs of a previous kernel session
 * registered under their ids, so a counter would make a restarted kernel overwrite them.
 */
export function newDisplayHandle(): DisplayHandle {
  const id = `snn-${randomBytes(8).toString("hex")}`;
  let created = false;
  return {
    update(bundle: MimeBundle): void {
      const sink = currentSink();
      if (!sink) return;
      sink.display(bundle, id, created);
      created = true;
    },
  };
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;",
  );
}

/** Shows raw HTML (trusted: escape any text that is not yours with `escapeHtml`). */
export function html(content: string): void {
  show({ "text/html": content });
}

/** Shows Markdown text, rendered by the front-end. */
export function markdown(text: string): void {
  show({ "text/markdown": text, "text/plain": text });
}
