/**
 * Access to the motif and spectral modules (written in parallel with this one) without a static
 * import, so that computeTopometrics compiles and runs its other metrics while they are absent.
 * A metric whose module is missing raises an error naming the module when it is requested.
 */
import type { CsrGraph } from "../encoding/csr";

export interface MotifsApi {
  exactMotifTotals(graph: CsrGraph): { connected4: number };
  estimateMotifs(graph: CsrGraph, opts: { size: number; sampleFraction: number; seed: number }): {
    estimate: number;
    standardError: number;
    sampleSize: number;
  };
}

export interface SpectralApi {
  spectralGap(graph: CsrGraph): { gap: number; top3AbsEigs: ArrayLike<number> };
  spectralRadius(graph: CsrGraph): { radius: number; top2: ArrayLike<number> };
}

function loadModule(name: string, fns: readonly string[]): Record<string, unknown> {
  let mod: unknown;
  try {
    mod = require(`./${name}`);
  } catch (err) {
    throw new Error(`metrics/topometrics: the ${name} metrics are not available in this build (src/metrics/${name}.ts could not be loaded: ${(err as Error).message.split("\n")[0]})`);
  }
  if (typeof mod !== "object" || mod === null) throw new Error(`metrics/topometrics: src/metrics/${name}.ts exports nothing`);
  const rec = mod as Record<string, unknown>;
  for (const f of fns) {
    if (typeof rec[f] !== "function") throw new Error(`metrics/topometrics: src/metrics/${name}.ts has no function '${f}'`);
  }
  return rec;
}

export function loadMotifs(): MotifsApi {
  return loadModule("motifs", ["exactMotifTotals", "estimateMotifs"]) as unknown as MotifsApi;
}

export function loadSpectral(): SpectralApi {
  return loadModule("spectral", ["spectralGap", "spectralRadius"]) as unknown as SpectralApi;
}
