/**
 * Public API of snn-topology: each stage's curated entry points. The lists live once, in the stage
 * index files (which say what each name is); this file re-exports them, so the two cannot drift,
 * and a name exported by two stages is a compile error. Internals are reachable only through their modules.
 *
 * The data flow the imports really have (an arrow points from a stage to one it imports; apart
 * from the two edges named below, no module imports a later stage):
 *   util ← io ← nn ← pruning ← train
 *                 ↖ encoding ← metrics ← analysis
 *   experiment uses all of them; notebook (display helpers) serves experiment and the notebooks.
 * - io is a pure format layer (datasets, safetensors network files, CSV); its one nn import is the
 *   host-tensor type (nn/tensors), never an architecture — spec-aware checks live in nn/network-file.
 * - pruning's DST hooks implement train's `TrainHook` interface: a type-only import, the one edge
 *   from an earlier stage to a later one.
 * - encoding and metrics need only nn's specs and host tensors (not pruning or train); analysis
 *   reads only the metric and pruner catalogues, so it never loads tfjs.
 */
export * from "./util/index";
export * from "./io/index";
export * from "./nn/index";
export * from "./pruning/index";
export * from "./train/index";
export * from "./encoding/index";
export * from "./metrics/index";
export * from "./analysis/index";
export * from "./experiment/index";
export * from "./notebook/index";
