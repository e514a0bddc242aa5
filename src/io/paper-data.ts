/**
 * The paper's released metrics (eliacunegatti/mge-snn, folder graph_data/ plus LICENSE, Apache-2.0):
 * where they are, whether a copy is complete, and their one-time download.
 *
 * Located in order (io/paths.ts `paperDataLocations`): `SNN_PAPER_DATA`; the project cache
 * `data/paper-data/` (gitignored); `../shared/paper-data` beside the project. When none has them,
 * `downloadPaperData` fetches every file of the committed manifest (data/paper-data.manifest.json: the
 * pinned commit, each file's size and SHA-256) into a staging folder beside the destination, checks
 * each file's size and SHA-256, and only then renames the staging folder into place: the cache is
 * either complete and verified or absent, never partial. Cost: one pass over 38 files (54 MB).
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { silentProgress, type Progress } from "../util/progress";
import { readCsv, type CsvTable } from "./csv";
import { paperDataDir, paperDataLocations, projectRoot, type PaperDataLocation } from "./paths";

/** One released file: where it is in the repository, its size and SHA-256. */
export interface PaperDataFileEntry {
  readonly source: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** data/paper-data.manifest.json: the pinned commit and every file, keyed by its path under the data folder. */
export interface PaperDataManifest {
  readonly repository: string;
  readonly commit: string;
  readonly baseUrl: string;
  readonly files: Readonly<Record<string, PaperDataFileEntry>>;
}

/** The command that downloads the data later (printed in every "not available" message). */
export const FETCH_PAPER_DATA_COMMAND = "npm run fetch-paper-data";

/** What needs the paper's data, for the messages that say what is missing. */
export const PAPER_DATA_DEPENDENTS: readonly string[] = [
  "notebooks 03 (its released-data sections), 04, 05 and 06, which show a 'not available' note instead",
  "`snn-topology analyze` without --data",
  "the tests that compare with the released data (skipped, each with its reason)",
];

/**
 * Path of the paper's released MGE metrics, graph_metrics/unrolled/unrolled.csv under `dir`
 * (default: the folder `paperDataDir()` finds). The one place that spells this path.
 * @example readReleasedMetricsCsv(releasedMetricsFile("/data/paper-data"))
 */
export function releasedMetricsFile(dir = paperDataDir()): string {
  return path.join(dir, "graph_metrics", "unrolled", "unrolled.csv");
}

/**
 * Reads unrolled.csv (2,337 rows, one per trained network), or a file in its layout (the experiment
 * grid's results, a superset of its columns), as a parsed CSV table. The one reader of this file:
 * the metrics stage types its rows (`readReleasedMetrics`), the analysis stage builds its network
 * table (`loadNetworkCsv`), both from this table.
 * @example const t = readReleasedMetricsCsv(); numberColumn(t, "accuracy")
 * @throws "io/paper-data: FILE not found (…)" saying how to get the paper's data; the CSV reader's
 *   errors (file and line) for a malformed file.
 */
export function readReleasedMetricsCsv(file = releasedMetricsFile()): CsvTable {
  if (!existsSync(file)) {
    throw new Error(`io/paper-data: ${file} not found (set SNN_PAPER_DATA or run \`${FETCH_PAPER_DATA_COMMAND}\` for the paper's data)`);
  }
  return readCsv(file);
}

export function paperDataManifestFile(): string {
  return path.join(projectRoot(), "data", "paper-data.manifest.json");
}

/**
 * Reads and checks a manifest.
 * @throws when the file is missing or a field is malformed (a file path that leaves the data folder included).
 */
export function readPaperDataManifest(file = paperDataManifestFile()): PaperDataManifest {
  const where = `io/paper-data: ${file}`;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${where}: cannot read the manifest (${(err as Error).message})`);
  }
  const m = raw as Partial<PaperDataManifest>;
  if (typeof m.repository !== "string" || typeof m.commit !== "string" || typeof m.baseUrl !== "string") {
    throw new Error(`${where}: needs string fields repository, commit and baseUrl`);
  }
  if (typeof m.files !== "object" || m.files === null || Object.keys(m.files).length === 0) throw new Error(`${where}: 'files' is empty`);
  for (const [name, e] of Object.entries(m.files)) {
    if (path.isAbsolute(name) || name.split("/").some((p) => p === ".." || p === "")) throw new Error(`${where}: file name '${name}' leaves the data folder`);
    if (typeof e?.source !== "string" || !Number.isSafeInteger(e.bytes) || e.bytes < 0 || !/^[0-9a-f]{64}$/.test(e.sha256 ?? "")) {
      throw new Error(`${where}: entry '${name}' needs source, bytes (integer ≥ 0) and sha256 (64 hex digits)`);
    }
  }
  return m as PaperDataManifest;
}

/** Where the data were found, or where they would be put, and what is missing there. */
export interface PaperDataStatus {
  readonly available: boolean;
  /** The folder in use (or, when unavailable, the first place searched, where the download goes). */
  readonly dir: string;
  readonly source: PaperDataLocation["source"];
  /** Every place searched, in order. */
  readonly searched: readonly PaperDataLocation[];
  /** Manifest files absent from `dir` (all of them when the folder does not exist). */
  readonly missing: readonly string[];
}

/**
 * Finds the paper's data: the first searched folder that exists is used (an explicit
 * `SNN_PAPER_DATA` is the only place searched). `available` means every manifest file is present
 * there (sizes and sums are checked by `verifyPaperData`, not here: this is called on every start).
 */
export function paperDataStatus(manifest = readPaperDataManifest()): PaperDataStatus {
  const searched = paperDataLocations();
  const found = searched.find((p) => existsSync(p.dir)) ?? searched[0];
  const missing = Object.keys(manifest.files).filter((f) => !existsSync(path.join(found.dir, f)));
  return { available: missing.length === 0, dir: found.dir, source: found.source, searched, missing };
}

/** SHA-256 of a buffer, hex. */
function sha256(buf: Uint8Array): string {
  return createHash("sha256").update(buf).digest("hex");
}

/** Checks a copy file by file: present, of the manifest's size, with its SHA-256. Returns the problems (empty = verified). */
export function verifyPaperData(dir: string, manifest = readPaperDataManifest()): string[] {
  const problems: string[] = [];
  for (const [name, e] of Object.entries(manifest.files)) {
    const f = path.join(dir, name);
    if (!existsSync(f)) {
      problems.push(`${name}: missing`);
      continue;
    }
    const buf = readFileSync(f);
    if (buf.length !== e.bytes) problems.push(`${name}: ${buf.length} bytes, expected ${e.bytes}`);
    else if (sha256(buf) !== e.sha256) problems.push(`${name}: SHA-256 ${sha256(buf)}, expected ${e.sha256}`);
  }
  return problems;
}

export interface DownloadOptions {
  /** Destination folder; created by the final rename, so it must not exist yet. */
  readonly dest: string;
  readonly manifest?: PaperDataManifest;
  /** Base URL the manifest's `source` paths are appended to (default: the manifest's, the pinned commit). */
  readonly baseUrl?: string;
  /** Byte progress over all files (default: none). */
  readonly progress?: Progress;
  /** Per-file time limit in milliseconds (default 300 000). */
  readonly timeoutMs?: number;
}

export interface DownloadResult {
  readonly dir: string;
  readonly files: number;
  readonly bytes: number;
}

/** Why a fetch failed, in words a user can act on (offline, DNS, refused). */
function networkReason(url: string, err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return `${url} did not answer in time`;
  const code = e.cause?.code ?? "";
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `cannot resolve ${host} (${code}: offline or no DNS)`;
  if (code === "ECONNREFUSED" || code === "ECONNRESET" || code === "ETIMEDOUT" || code === "ENETUNREACH" || code === "EHOSTUNREACH") {
    return `cannot connect to ${host} (${code}: offline or blocked)`;
  }
  return `cannot fetch ${url} (${e.cause?.message ?? e.message ?? String(err)})`;
}

/** Reads a response body, refusing more than `limit` bytes (a wrong or hostile server cannot fill the disk). */
async function readBody(res: Response, limit: number, url: string, onBytes: (n: number) => void): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new Error(`${url} sent more than the expected ${limit} bytes`);
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    onBytes(value.length);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Downloads every manifest file into a staging folder beside `dest`, verifies each one's size and
 * SHA-256, then renames the staging folder to `dest`. On any failure the staging folder is removed
 * and `dest` is left as it was (absent), so no partial copy is ever seen.
 * @example await downloadPaperData({ dest: paperDataCacheDir(), progress: terminalProgress("paper data") })
 * @throws "io/paper-data: …" naming the file and the problem: network unreachable, HTTP status, truncated or
 *   oversized body, wrong SHA-256, or `dest` already existing.
 */
export async function downloadPaperData(options: DownloadOptions): Promise<DownloadResult> {
  const manifest = options.manifest ?? readPaperDataManifest();
  const base = (options.baseUrl ?? manifest.baseUrl).replace(/\/+$/, "");
  const progress = options.progress ?? silentProgress;
  const timeoutMs = options.timeoutMs ?? 300_000;
  const dest = path.resolve(options.dest);
  if (existsSync(dest)) throw new Error(`io/paper-data: ${dest} already exists; remove it first to download again`);
  const parent = path.dirname(dest);
  mkdirSync(parent, { recursive: true });
  const staging = path.join(parent, `.${path.basename(dest)}.partial-${process.pid}-${randomBytes(4).toString("hex")}`);
  const entries = Object.entries(manifest.files);
  const totalBytes = entries.reduce((s, [, e]) => s + e.bytes, 0);
  let done = 0;
  try {
    mkdirSync(staging);
    for (const [name, e] of entries) {
      const url = `${base}/${e.source}`;
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
      } catch (err) {
        throw new Error(`io/paper-data: ${networkReason(url, err)}`);
      }
      if (!res.ok) throw new Error(`io/paper-data: ${url} answered HTTP ${res.status} ${res.statusText}`.trimEnd());
      const body = await readBody(res, e.bytes, url, (n) => {
        done += n;
        progress.update(done, totalBytes, name);
      }).catch((err: Error) => {
        throw new Error(`io/paper-data: ${name}: ${err.message.startsWith(url) ? err.message : `download from ${url} broke off (${err.message})`}`);
      });
      if (body.length !== e.bytes) throw new Error(`io/paper-data: ${name}: truncated download (${body.length} of ${e.bytes} bytes from ${url})`);
      const sum = sha256(body);
      if (sum !== e.sha256) throw new Error(`io/paper-data: ${name}: SHA-256 ${sum} does not match the committed ${e.sha256} (from ${url})`);
      const target = path.join(staging, name);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, body);
    }
    if (existsSync(dest)) {
      // Another process finished the same download first; its copy is verified too.
      rmSync(staging, { recursive: true, force: true });
    } else renameSync(staging, dest);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (done > 0) progress.finish("failed");
    throw err;
  }
  progress.finish(`${entries.length} files, ${(totalBytes / 1e6).toFixed(1)} MB, verified`);
  return { dir: dest, files: entries.length, bytes: totalBytes };
}

/**
 * The one message shown when the data are unavailable: what is missing, what depends on it, and the
 * exact command to get it later (or how to point at an existing copy).
 */
export function paperDataUnavailableMessage(status: PaperDataStatus, reason?: string, manifest = readPaperDataManifest()): string {
  const where = status.searched.map((p) => (p.source === "SNN_PAPER_DATA" ? `SNN_PAPER_DATA=${p.dir}` : p.dir)).join(", ");
  const count = Object.keys(manifest.files).length;
  const mb = Object.values(manifest.files).reduce((s, e) => s + e.bytes, 0) / 1e6;
  const lines = [
    `paper data: not available — the paper's released metrics (${manifest.repository}@${manifest.commit.slice(0, 7)}, ${count} files, ${mb.toFixed(0)} MB) ` +
      `are not in ${where}${status.missing.length > 0 && status.missing.length < count ? ` (${status.missing.length} of ${count} files missing there)` : ""}` +
      `${reason ? `; the download failed: ${reason.replace(/^io\/paper-data: /, "")}` : ""}.`,
    `  Without it: ${PAPER_DATA_DEPENDENTS.join("; ")}. Everything else works.`,
    `  To get it later: ${FETCH_PAPER_DATA_COMMAND}   (downloads into ${status.searched[0].dir} and verifies SHA-256 sums)`,
    `  Or use a copy you have: SNN_PAPER_DATA=/path/to/paper-data (a folder holding graph_metrics/ and ramanunjan_results/)`,
  ];
  return lines.join("\n");
}

export interface EnsureResult {
  readonly state: "present" | "downloaded" | "unavailable";
  readonly status: PaperDataStatus;
  /** The "not available" message when state is "unavailable". */
  readonly message?: string;
}

/**
 * The set-up step: does nothing when the data are present; otherwise downloads them into the first
 * searched place (the cache, or `SNN_PAPER_DATA` when set) and verifies them. Never throws for a
 * failed download: it returns "unavailable" with the message to print, so set-up goes on offline.
 */
export async function ensurePaperData(options: { baseUrl?: string; progress?: Progress; manifest?: PaperDataManifest; timeoutMs?: number } = {}): Promise<EnsureResult> {
  const manifest = options.manifest ?? readPaperDataManifest();
  const status = paperDataStatus(manifest);
  if (status.available) return { state: "present", status };
  const dest = status.searched[0].dir;
  if (existsSync(dest)) {
    // An incomplete folder the user made or kept: never overwrite it.
    return { state: "unavailable", status, message: paperDataUnavailableMessage(status, `${dest} exists but lacks ${status.missing.length} file(s), e.g. ${status.missing[0]}; complete it or remove it`, manifest) };
  }
  try {
    await downloadPaperData({ dest, manifest, baseUrl: options.baseUrl, progress: options.progress, timeoutMs: options.timeoutMs });
  } catch (err) {
    return { state: "unavailable", status, message: paperDataUnavailableMessage(status, (err as Error).message, manifest) };
  }
  return { state: "downloaded", status: paperDataStatus(manifest) };
}
