/**
 * How our topometrics of a reference fixture agree with the official ones, in one row: the
 * deterministic metrics (all but motifs and the two spectral ones) must be equal — integers exactly,
 * the strength (a float sum) to 1e-12 relative —, the spectral gap is compared by relative difference
 * (float32 solver), the motif estimate (random in both codes) by ratio. O(number of metrics).
 */
import { compareWithReference, type ReferenceExpected } from "./reference";
import { METRICS, METRIC_NAMES, type MetricName, type Topometrics } from "./topometrics";

/** The metrics the official code computes deterministically (no motif estimate, no eigensolver). */
export const DETERMINISTIC_METRICS: readonly MetricName[] = METRIC_NAMES.filter((m) => m !== "motifs" && m !== "spectralGap" && m !== "spectralRadius");

/** Relative tolerance of the strength (a float sum in a different order than the official code's). */
export const STRENGTH_REL_TOLERANCE = 1e-12;

export type FixtureAgreement = {
  fixture: string;
  nodes: number;
  edges: number;
  /** "k / n" deterministic metrics equal to the official value (only those computed count in n). */
  "deterministic equal": string;
  /** Deterministic metrics that differ (names as in expected.json), empty when all agree. */
  "differing": string;
  "strength rel. diff": number | string;
  "motifs ours / official": number | string;
  "spectral gap rel. diff": number | string;
};

/**
 * One row of agreement between our raw topometrics `r` of fixture `name` and its official values.
 * Metrics not computed in `r` read "not computed" (and are not counted).
 * @example table(runs.map((x) => fixtureAgreement(x.name, x.r, x.f.expected)))
 * @throws when `r` is paper-normalised (only raw values compare with `metrics_raw`).
 */
export function fixtureAgreement(name: string, r: Topometrics, expected: ReferenceExpected): FixtureAgreement {
  const rows = compareWithReference(r, expected);
  const row = (m: MetricName) => rows.find((c) => c.metric === METRICS[m].fixtureKey)!;
  const equal: string[] = [];
  const differ: string[] = [];
  for (const m of DETERMINISTIC_METRICS) {
    const c = row(m);
    if (c.ours === null) continue;
    const ok = c.official !== null && (m === "strength" ? Math.abs(c.ours - c.official) <= STRENGTH_REL_TOLERANCE * Math.abs(c.official) : c.ours === c.official);
    (ok ? equal : differ).push(METRICS[m].fixtureKey);
  }
  const rel = (m: MetricName): number | string => {
    const c = row(m);
    return c.ours === null || c.official === null ? "not computed" : Math.abs(c.ours - c.official) / Math.abs(c.official);
  };
  const motifs = row("motifs");
  return {
    fixture: name,
    nodes: r.nodes,
    edges: r.edges,
    "deterministic equal": `${equal.length} / ${equal.length + differ.length}`,
    differing: differ.join(", "),
    "strength rel. diff": rel("strength"),
    "motifs ours / official": motifs.ours === null || motifs.official === null ? "not computed" : motifs.ours / motifs.official,
    "spectral gap rel. diff": rel("spectralGap"),
  };
}
