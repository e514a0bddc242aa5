/** The whole-MGE picture (raster, any size) and its interactive density view. */
export { type HeightScale, type MgeLayout, type LayoutOptions, HEIGHT_SCALES, mgeLayout, nodeY } from "./layout";
export { type NodeBins, type PairBins, type AggregateOptions, nodeBins, binFirstNode, aggregatePairs } from "./bins";
export { depositSegment } from "./raster";
export { type ToneCurve, type ToneOptions, type Rgb, toneFunction, compositeLayer } from "./tone";
export { type HighlightName, type NodeMarks, type HighlightSets, HIGHLIGHTS, HIGHLIGHT_COLOURS, parseHighlights, highlightSets } from "./highlights";
export { type MgePictureOptions, type MgePicture, type LegendEntry, type InkLayers, LAYER_COLOURS, drawMge } from "./draw";
export { type RgbaImage, encodePng, writePng } from "./png";
export { type ShownPicture, type ShowPictureOptions, mgePictureHtml, showMgePictures } from "./display";
export { type DensityViewOptions, mgeDensityFigure, showMgeDensity } from "./density-view";
