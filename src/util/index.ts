/** Public API of util: seeded random numbers and progress reporting. */
export { checkRngState, type RngState, Rng } from "./rng";
export { formatDuration, terminalProgress, type Progress, silentProgress } from "./progress";
