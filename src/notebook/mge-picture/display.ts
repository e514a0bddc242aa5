/**
 * Showing whole-MGE pictures in a notebook: each PNG inline (a data URI inside text/html, which
 * nbconvert's HTML export keeps), side by side when several are given, each with its caption and its
 * legend (colour swatch, what it marks, how many edges or nodes). The picture carries no text of its
 * own, so the legend and the axes' meaning are written beside it here.
 */
import { escapeHtml, show } from "../output";
import type { MgePicture } from "./draw";
import { encodePng } from "./png";

export interface ShownPicture {
  readonly picture: MgePicture;
  readonly caption?: string;
}

export interface ShowPictureOptions {
  readonly title?: string;
}

const AXES =
  "x: the MGE's partitions in order, input (left) to output (right); y: node position within its partition " +
  "(index order, channel-major raster), bar height ∝ nodes; grey level: edges per pixel column, logarithmic.";

function legendHtml(p: MgePicture): string {
  return p.legend
    .map((l) => `<span style="white-space:nowrap;margin-right:14px"><span style="display:inline-block;width:11px;height:11px;background:${l.colour};vertical-align:middle;margin-right:4px"></span>${escapeHtml(l.label)}: ${l.count.toLocaleString("en-US")} ${l.unit}</span>`)
    .join(" ");
}

/** HTML of one or more pictures side by side, with captions, legends and the axes' meaning. */
export function mgePictureHtml(pictures: readonly ShownPicture[], options: ShowPictureOptions = {}): string {
  if (pictures.length === 0) throw new Error("notebook/mge-picture: no picture to show");
  const cells = pictures.map(({ picture, caption }) => {
    const src = `data:image/png;base64,${encodePng(picture).toString("base64")}`;
    const alt = escapeHtml(caption ?? options.title ?? "MGE picture");
    return (
      `<div style="flex:1 1 0;min-width:0">` +
      (caption ? `<div style="font-weight:bold;margin:2px 0">${escapeHtml(caption)}</div>` : "") +
      `<img alt="${alt}" style="width:100%;height:auto;border:1px solid #ddd" src="${src}"/>` +
      `<div style="font-size:11px;line-height:1.6">${legendHtml(picture)}</div></div>`
    );
  });
  return (
    `<figure style="margin:0">` +
    (options.title ? `<div style="font-size:15px;font-weight:bold;margin-bottom:4px">${escapeHtml(options.title)}</div>` : "") +
    `<div style="display:flex;gap:10px">${cells.join("")}</div>` +
    `<figcaption style="font-size:11px;color:#555">${escapeHtml(AXES)}</figcaption></figure>`
  );
}

/**
 * Shows whole-MGE pictures (one, or several side by side) in the notebook.
 * @example showMgePictures([{ picture: drawMge(g), caption: "reference" }], { title: "ResNet-20 ERK 0.98" });
 * @throws when no picture is given.
 */
export function showMgePictures(pictures: readonly ShownPicture[], options: ShowPictureOptions = {}): void {
  const html = mgePictureHtml(pictures, options);
  const plain = pictures.map(({ picture, caption }) => `<MGE picture${caption ? ` ${caption}` : ""}: ${picture.width}×${picture.height} px, ${picture.stats.edges} edges>`).join("\n");
  show({ "text/html": html, "text/plain": plain });
}
