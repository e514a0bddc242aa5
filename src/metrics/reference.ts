/**
 * Access to what the official implementation computed, for comparison with our topometrics:
 * - the reference fixtures (data/reference/ in the repository, `referenceFixturesDir()`): a network
 *   (`<name>.safetensors.gz`, or uncompressed), its MGE size and the official `metrics_raw` (README of that folder);
 * - the paper's released MGE metrics, graph_metrics/unrolled/unrolled.csv (`paperDataDir()`),
 *   one row per trained network, normalised as reference-notes §2.1 describes.
 * Reading a fixture is O(file size); encoding it is the MGE encoder's cost (see encoding/mge.ts).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { encodeMge, type MgeGraph } from "../encoding/mge";
import type { Alignment } from "../encoding/plan";
import { numberColumn, stringColumn } from "../io/csv";
import { readReleasedMetricsCsv, releasedMetricsFile } from "../io/paper-data";
import { loadNetwork } from "../nn/network-file";
import { referenceFixturesDir } from "../io/paths";
import { buildArchitecture } from "../nn/architectures";
import type { ArchSpec } from "../nn/spec";
import { METRICS, METRIC_NAMES, type MetricName, type Topometrics } from "./topometrics";

export interface ReferenceExpected {
  readonly architecture: string;
  readonly input_size: number;
  readonly classes: number;
  readonly pruner: string;
  readonly sparsity: number;
  readonly seed: number;
  readonly nodes: number;
  readonly edges: number;
  readonly partitions: readonly number[];
  readonly metrics_raw: Readonly<Record<string, unknown>>;
  readonly motifs_exact?: Readonly<Record<string, unknown>>;
  readonly reference_seconds: Readonly<Record<string, number>>;
}

export interface ReferenceFixture {
  readonly name: string;
  readonly spec: ArchSpec;
  readonly graph: MgeGraph;
  readonly expected: ReferenceExpected;
}

/** The network file of a fixture: `<name>.safetensors` if present, else `<name>.safetensors.gz` (null when neither exists). */
export function findReferenceNetwork(name: string, dir = referenceFixturesDir()): string | null {
  for (const f of [`${name}.safetensors`, `${name}.safetensors.gz`]) {
    if (existsSync(path.join(dir, f))) return path.join(dir, f);
  }
  return null;
}

/**
 * Path of a fixture's network file (plain or gzip-compressed safetensors; the loaders read both).
 * @throws when neither file exists.
 */
export function referenceNetworkFile(name: string, dir = referenceFixturesDir()): string {
  const f = findReferenceNetwork(name, dir);
  if (f === null) throw new Error(`metrics/reference: no ${name}.safetensors(.gz) in ${dir} (set SNN_REFERENCE_FIXTURES)`);
  return f;
}

/** Names of the fixtures present (a `<name>.safetensors` or `.safetensors.gz` with a `<name>.expected.json`). */
export function listReferenceFixtures(dir = referenceFixturesDir()): string[] {
  if (!existsSync(dir)) throw new Error(`metrics/reference: fixture folder ${dir} not found (set SNN_REFERENCE_FIXTURES)`);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".expected.json"))
    .map((f) => f.slice(0, -".expected.json".length))
    .filter((n) => findReferenceNetwork(n, dir) !== null)
    .sort();
}

/** Reads a fixture's expected.json, checking the fields used here. */
export function readReferenceExpected(name: string, dir = referenceFixturesDir()): ReferenceExpected {
  const file = path.join(dir, `${name}.expected.json`);
  if (!existsSync(file)) throw new Error(`metrics/reference: ${file} not found`);
  const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  for (const k of ["architecture", "input_size", "classes", "nodes", "edges", "metrics_raw"]) {
    if (!(k in raw)) throw new Error(`metrics/reference: ${file} has no '${k}'`);
  }
  return raw as unknown as ReferenceExpected;
}

/** Loads a fixture network and encodes its MGE (default alignment "reference", as the official code). */
export function loadReferenceFixture(name: string, options: { alignment?: Alignment; dir?: string } = {}): ReferenceFixture {
  const dir = options.dir ?? referenceFixturesDir();
  const expected = readReferenceExpected(name, dir);
  const spec = buildArchitecture(expected.architecture, { inputSize: expected.input_size, classes: expected.classes });
  const net = loadNetwork(referenceNetworkFile(name, dir), spec);
  const graph = encodeMge(spec, net.masks, { weights: net.weights, alignment: options.alignment ?? "reference" });
  return { name, spec, graph, expected };
}

/** A type alias rather than an interface so that rows pass where string-indexed records are expected (tables). */
export type ComparisonRow = {
  metric: string;
  ours: number | null;
  official: number | null;
  /** ours − official (null where either is missing). */
  difference: number | null;
};

/** Our raw values next to a fixture's official `metrics_raw`, metric by metric. */
export function compareWithReference(r: Topometrics, expected: ReferenceExpected): ComparisonRow[] {
  if (r.normalize !== "raw") throw new Error("metrics/reference: compare raw values (normalize: 'raw') with metrics_raw");
  const rows: ComparisonRow[] = [
    { metric: "nodes", ours: r.nodes, official: expected.nodes, difference: r.nodes - expected.nodes },
    { metric: "edges", ours: r.edges, official: expected.edges, difference: r.edges - expected.edges },
  ];
  for (const m of METRIC_NAMES) {
    const key = METRICS[m].fixtureKey;
    const off = expected.metrics_raw[key];
    const ours = r.metrics[m];
    const official = typeof off === "number" ? off : null;
    rows.push({ metric: key, ours, official, difference: ours !== null && official !== null ? ours - official : null });
  }
  return rows;
}

/** One released row of unrolled.csv: the setting, nodes/edges, accuracy and the 16 metrics (paper-normalised). */
export interface ReleasedRow {
  readonly model: string;
  readonly dataset: string;
  readonly pruning: string;
  readonly sparsity: number;
  readonly seed: number;
  readonly accuracy: number;
  readonly nodes: number;
  readonly edges: number;
  readonly metrics: Readonly<Record<MetricName, number>>;
}

/**
 * unrolled.csv (io's `readReleasedMetricsCsv`, 2,337 rows) as typed rows with the catalogue's 16
 * metrics. Missing values are NaN.
 * @throws when the file is missing (saying how to get the paper's data) or lacks a catalogue column.
 */
export function readReleasedMetrics(file = releasedMetricsFile()): ReleasedRow[] {
  const t = readReleasedMetricsCsv(file);
  const model = stringColumn(t, "model");
  const dataset = stringColumn(t, "dataset");
  const pruning = stringColumn(t, "pruning");
  const sparsity = numberColumn(t, "sparsity");
  const seed = numberColumn(t, "seed");
  const accuracy = numberColumn(t, "accuracy");
  const nodes = numberColumn(t, "nodes");
  const edges = numberColumn(t, "edges");
  const cols = {} as Record<MetricName, Float64Array>;
  for (const m of METRIC_NAMES) cols[m] = numberColumn(t, METRICS[m].csvColumn);
  const rows: ReleasedRow[] = [];
  for (let i = 0; i < model.length; i++) {
    const metrics = {} as Record<MetricName, number>;
    for (const m of METRIC_NAMES) metrics[m] = cols[m][i];
    rows.push({ model: model[i], dataset: dataset[i], pruning: pruning[i], sparsity: sparsity[i], seed: seed[i], accuracy: accuracy[i], nodes: nodes[i], edges: edges[i], metrics });
  }
  return rows;
}
