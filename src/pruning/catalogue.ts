/**
 * The pruner catalogue: one descriptor per pruning algorithm (name, category, paper, what it needs,
 * DST or not), dependency-free so that the analysis (which must not load tfjs), the experiment grid
 * and the CLIs share it. Everything that lists pruners is derived from it; `prune` (./prune.ts)
 * validates a call against it once and runs the algorithm through the registry (./registry.ts).
 * Adding a pruner: its module, one line here and one line in the registry.
 * Categories: reference-notes §3 (v2 calls the first seven "PaI"; v1 splits random and DST off);
 * "magnitude" is ours: the two magnitude pruners, which read the given (trained or imported)
 * weights and are not in the paper's study, so the lists derived for the grid and the analysis
 * (PAPER_PRUNERS, PAI_ALGORITHMS, INIT_PRUNERS) leave them out.
 */

export type PrunerCategory = "PaI" | "random" | "DST" | "magnitude";

export interface PrunerInfo {
  readonly category: PrunerCategory;
  /** Where the algorithm comes from. */
  readonly paper: string;
  /**
   * What `prune` must be given: "data" a SparseModel and training batches, "model" a SparseModel
   * (data-free, but it runs the network), "shapes" only the prunable layers' shapes (a model, an
   * ArchSpec or a PrunableLayer list), "weights" the shapes and the network's weights
   * (`options.weights`, PyTorch layout).
   */
  readonly needs: "data" | "model" | "shapes" | "weights";
  /** Dynamic sparse training: the result's masks are the start, a training hook moves them. */
  readonly dst: boolean;
  /** In the paper's released data (SET is ours only). */
  readonly released: boolean;
  /** Its gradient passes can be split to fit `memoryBudget` (./memory.ts). */
  readonly memoryBudget: boolean;
}

const PAI_DATA = { category: "PaI", needs: "data", dst: false, released: true, memoryBudget: true } as const;
const RANDOM = { category: "random", needs: "shapes", dst: false, released: true, memoryBudget: false } as const;
const DST = { category: "DST", needs: "shapes", dst: true, released: true, memoryBudget: false } as const;
const MAGNITUDE = { category: "magnitude", needs: "weights", dst: false, released: false, memoryBudget: false } as const;

export const PRUNERS = {
  snip: { ...PAI_DATA, paper: "Lee, Ajanthan & Torr, ICLR 2019" },
  grasp: { ...PAI_DATA, paper: "Wang, Zhang & Grosse, ICLR 2020" },
  synflow: { category: "PaI", needs: "model", dst: false, released: true, memoryBudget: false, paper: "Tanaka et al., NeurIPS 2020" },
  prospr: { ...PAI_DATA, paper: "Alizadeh et al., ICLR 2022" },
  uniform: { ...RANDOM, paper: "uniform layer-wise density" },
  er: { ...RANDOM, paper: "Mocanu et al., Nat. Commun. 2018" },
  erk: { ...RANDOM, paper: "Evci et al., ICML 2020" },
  snfs: { ...DST, paper: "Dettmers & Zettlemoyer, arXiv 1907.04840" },
  rigl: { ...DST, paper: "Evci, Gale, Menick, Castro & Elsen, ICML 2020" },
  dsr: { ...DST, paper: "Mostafa & Wang, ICML 2019" },
  itop: { ...DST, paper: "Liu, Yin, Mocanu & Pechenizkiy, ICML 2021" },
  set: { ...DST, released: false, paper: "Mocanu et al., Nat. Commun. 2018" },
  magnitude: { ...MAGNITUDE, paper: "Han et al., NeurIPS 2015 (one global threshold)" },
  "magnitude-layerwise": { ...MAGNITUDE, paper: "Han et al., NeurIPS 2015 (one threshold per layer)" },
} as const satisfies Record<string, PrunerInfo>;

export type PrunerName = keyof typeof PRUNERS;
export const PRUNER_NAMES = Object.keys(PRUNERS) as readonly PrunerName[];

const where = (p: (i: PrunerInfo) => boolean): readonly PrunerName[] => PRUNER_NAMES.filter((n) => p(PRUNERS[n]));

/** The eleven algorithms of the paper's released data. */
export const PAPER_PRUNERS: readonly PrunerName[] = where((i) => i.released);
/** The seven algorithms v2 calls PaI (score-based + random). */
export const PAI_ALGORITHMS: readonly PrunerName[] = where((i) => i.category === "PaI" || i.category === "random");
/** The dynamic-sparse-training methods (a training hook moves their masks). */
export const DST_PRUNERS: readonly PrunerName[] = where((i) => i.dst);
/**
 * The algorithms that need no weights of their own: they prune a network at initialisation or start
 * dynamic sparse training (the paper's eleven and SET; what the experiment grid and notebook 01 run).
 */
export const INIT_PRUNERS: readonly PrunerName[] = where((i) => i.needs !== "weights");
/** The algorithms that `prune --model` runs on an imported network: shapes or weights only, no training hook. */
export const MODEL_PRUNERS: readonly PrunerName[] = where((i) => (i.needs === "shapes" || i.needs === "weights") && !i.dst);

export const PRUNER_CATEGORY: Readonly<Record<PrunerName, PrunerCategory>> = Object.fromEntries(PRUNER_NAMES.map((n) => [n, PRUNERS[n].category])) as Record<PrunerName, PrunerCategory>;

export function isPrunerName(name: string): name is PrunerName {
  return Object.prototype.hasOwnProperty.call(PRUNERS, name);
}

/** The descriptor of a pruner, case-insensitive. @throws naming the unknown name and the known ones. */
export function prunerInfo(name: string, who = "pruning"): PrunerInfo & { readonly name: PrunerName } {
  const key = name.toLowerCase();
  if (!isPrunerName(key)) throw new Error(`${who}: unknown pruner '${name}'; known: ${PRUNER_NAMES.join(", ")}`);
  return { name: key, ...PRUNERS[key] };
}

/** Category of a pruner, case-insensitive; throws naming the unknown name. */
export function prunerCategory(name: string): PrunerCategory {
  return prunerInfo(name, "pruning/catalogue").category;
}
