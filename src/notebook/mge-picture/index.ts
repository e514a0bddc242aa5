/** The whole-MGE picture (raster, any size) and its interactive density view. */
export { type HeightScale, type MgeLayout, HEIGHT_SCALES } from "./layout";
export { type ToneCurve, type ToneOptions } from "./tone";
export { type HighlightName, HIGHLIGHTS, HIGHLIGHT_COLOURS, parseHighlights } from "./highlights";
export { type MgePictureOptions, type MgePicture, type LegendEntry, type InkLayers, LAYER_COLOURS, drawMge } from "./draw";
export { type RgbaImage, encodePng, writePng } from "./png";
export { type ShownPicture, type ShowPictureOptions, mgePictureHtml, showMgePictures } from "./display";
export { type DensityViewOptions, mgeDensityFigure, showMgeDensity } from "./density-view";
