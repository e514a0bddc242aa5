/**
 * Names and categories of the pruning algorithms, in one dependency-free module so that the
 * analysis (which must not load tfjs) and the experiment grid share the pruners' own list.
 * Categories: reference-notes §3 (v2 calls the first seven "PaI"; v1 splits random and DST off).
 */
export const PRUNER_NAMES = ["snip", "grasp", "synflow", "prospr", "uniform", "er", "erk", "snfs", "rigl", "dsr", "itop", "set"] as const;
export type PrunerName = (typeof PRUNER_NAMES)[number];

/** The eleven algorithms of the paper's released data (SET is ours only). */
export const PAPER_PRUNERS = ["snip", "grasp", "synflow", "prospr", "uniform", "er", "erk", "snfs", "rigl", "dsr", "itop"] as const;

/** The seven algorithms v2 calls PaI (score-based + random). */
export const PAI_ALGORITHMS = ["snip", "grasp", "synflow", "prospr", "uniform", "er", "erk"] as const;

export type PrunerCategory = "PaI" | "random" | "DST";

export const PRUNER_CATEGORY: Readonly<Record<PrunerName, PrunerCategory>> = {
  snip: "PaI",
  grasp: "PaI",
  synflow: "PaI",
  prospr: "PaI",
  uniform: "random",
  er: "random",
  erk: "random",
  snfs: "DST",
  rigl: "DST",
  dsr: "DST",
  itop: "DST",
  set: "DST",
};

export function isPrunerName(name: string): name is PrunerName {
  return (PRUNER_NAMES as readonly string[]).includes(name);
}

/** Category of a pruner, case-insensitive; throws naming the unknown name. */
export function prunerCategory(name: string): PrunerCategory {
  const key = name.toLowerCase();
  if (!isPrunerName(key)) throw new Error(`pruning/names: unknown pruning algorithm '${name}' (known: ${PRUNER_NAMES.join(", ")})`);
  return PRUNER_CATEGORY[key];
}
