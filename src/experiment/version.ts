/**
 * The code version that goes into every cell key: the package version plus a hash of the sources
 * that determine a cell's result (nn, pruning, train, encoding, metrics, io, util and the pipeline).
 * Editing the analysis, the notebooks, the CLI or the runner does not invalidate finished cells;
 * editing anything a cell computes with does. `SNN_CODE_VERSION` overrides it (e.g. to keep
 * results across a refactor known not to change numbers).
 */
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../io/paths";

const HASHED_STAGES = ["nn", "pruning", "train", "encoding", "metrics", "io", "util"];
const HASHED_FILES = ["experiment/pipeline.ts", "experiment/pipeline.js"];

function listFiles(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) listFiles(p, out);
    else if (/\.(ts|js)$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
}

let cached: string | undefined;

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(projectRoot(), "package.json"), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** `<package version>+<12 hex of the source hash>`, or SNN_CODE_VERSION when set. */
export function codeVersion(): string {
  const env = process.env.SNN_CODE_VERSION;
  if (env && env.length > 0) return env;
  if (cached) return cached;
  const src = path.resolve(__dirname, "..");
  const files: string[] = [];
  for (const stage of HASHED_STAGES) listFiles(path.join(src, stage), files);
  for (const f of HASHED_FILES) if (existsSync(path.join(src, f))) files.push(path.join(src, f));
  const h = createHash("sha256");
  for (const f of files) {
    h.update(path.relative(src, f)).update("\0").update(readFileSync(f)).update("\0");
  }
  cached = `${packageVersion()}+${h.digest("hex").slice(0, 12)}`;
  return cached;
}

/** `git describe --always --dirty` of the project, or "" outside a git checkout (recorded, not keyed). */
export function gitDescribe(): string {
  try {
    return execFileSync("git", ["describe", "--always", "--dirty"], { cwd: projectRoot(), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}
