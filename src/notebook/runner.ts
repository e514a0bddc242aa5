/**
 * Headless notebook tooling for tests and scripts: executes one notebook with the project kernel
 * (kernel-setup/execute-notebook.py, one process per notebook) and checks an HTML export in
 * headless Chromium (charts drawn, no JavaScript errors). Not part of the display API.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoot } from "../io/paths";
import { jupyterEnv } from "./jupyter-env";

export interface NotebookRun {
  readonly notebook: string;
  readonly ok: boolean;
  /** Why it failed (with the failing cell's source and stderr), or null. */
  readonly error: string | null;
  readonly failedCell: number | null;
  /** Executed notebook (written even on failure, up to the failing cell). */
  readonly executed: string | null;
  readonly html: string | null;
  /** Chart outputs emitted by `plot` (text/html carrying data-snn-plot). */
  readonly plots: number;
  readonly asyncErrors: readonly string[];
  readonly kernel: string | null;
  readonly seconds: number;
}

export interface ExecuteOptions {
  /** Folder for the executed .ipynb. */
  readonly outDir: string;
  /** Also export HTML into this folder. */
  readonly htmlDir?: string;
  /** Seconds per cell (default 240). */
  readonly cellTimeoutS?: number;
  /** Seconds for the whole notebook, kernel start included (default 300); the process is killed after it. */
  readonly limitS?: number;
  /** Extra environment for the kernel (e.g. SNN_RESULTS_FILE). */
  readonly env?: NodeJS.ProcessEnv;
}

const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

/** Executes one notebook headless. Never throws for a failing notebook: read `ok` and `error`. */
export function executeNotebook(file: string, options: ExecuteOptions): NotebookRun {
  const root = projectRoot();
  const limitS = options.limitS ?? 300;
  const args = [
    path.join(root, "kernel-setup", "execute-notebook.py"),
    file,
    "--out-dir",
    options.outDir,
    "--timeout",
    String(options.cellTimeoutS ?? 240),
  ];
  if (options.htmlDir) args.push("--html-dir", options.htmlDir);
  const r = spawnSync(PYTHON, args, {
    cwd: root,
    env: jupyterEnv(root, { ...process.env, ...options.env }),
    encoding: "utf8",
    timeout: limitS * 1000,
    killSignal: "SIGKILL",
    maxBuffer: 64 * 1024 * 1024,
  });
  const name = path.basename(file);
  const failed = (error: string): NotebookRun => ({
    notebook: name, ok: false, error, failedCell: null, executed: null, html: null, plots: 0, asyncErrors: [], kernel: null, seconds: 0,
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return failed(code === "ETIMEDOUT" ? `notebook ran longer than ${limitS} s and was killed` : `could not run ${PYTHON}: ${r.error.message}`);
  }
  const lines = r.stdout.trim().split("\n");
  let parsed: unknown;
  try {
    parsed = JSON.parse(lines[lines.length - 1]);
  } catch {
    return failed(`execute-notebook.py exited ${r.status} without a summary:\n${r.stderr.slice(-3000)}`);
  }
  return parsed as NotebookRun;
}

/** Headless Chromium: SNN_CHROMIUM, else chromium / chromium-browser / google-chrome on PATH; null if none. */
export function chromiumBinary(): string | null {
  const env = process.env.SNN_CHROMIUM;
  if (env && env.length > 0) return env;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
      const p = path.join(dir, name);
      if (dir && existsSync(p)) return p;
    }
  }
  return null;
}

export interface RenderCheck {
  /** Drawn plotly charts (`class="plot-container plotly"` in the final DOM). */
  readonly plotContainers: number;
  /** Uncaught JavaScript errors and unhandled rejections on the page. */
  readonly jsErrors: readonly string[];
  /** False when the page never reached the end of its scripts (the marker was missing). */
  readonly loaded: boolean;
}

// Records script errors and unhandled rejections into an attribute of <html>, which --dump-dom
// prints. Resource load failures are ignored: Debian's template links MathJax, which may be absent.
const COLLECTOR =
  "<script>(function(){var errs=[];function put(s){errs.push(String(s));" +
  "document.documentElement.setAttribute('data-snn-js-errors',JSON.stringify(errs));}" +
  "window.addEventListener('error',function(e){if(e instanceof ErrorEvent){put(e.message+' at '+e.filename+':'+e.lineno);}},true);" +
  "window.addEventListener('unhandledrejection',function(e){var r=e.reason;put('unhandled rejection: '+(r&&r.stack?r.stack:r));});" +
  "window.addEventListener('load',function(){document.documentElement.setAttribute('data-snn-loaded','1');});})();</script>";

/** Renders an HTML file in headless Chromium and reports drawn charts and JavaScript errors. */
export function renderCheck(htmlFile: string, budgetMs = 8000): RenderCheck {
  const chromium = chromiumBinary();
  if (!chromium) throw new Error("notebook/runner: no Chromium found (install chromium or set SNN_CHROMIUM)");
  const tmp = mkdtempSync(path.join(os.tmpdir(), "snn-render-"));
  try {
    const src = readFileSync(htmlFile, "utf8");
    const m = /<head[^>]*>/i.exec(src);
    const injected = m ? src.slice(0, m.index + m[0].length) + COLLECTOR + src.slice(m.index + m[0].length) : COLLECTOR + src;
    const page = path.join(tmp, "page.html");
    writeFileSync(page, injected);
    const r = spawnSync(
      chromium,
      [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        `--user-data-dir=${path.join(tmp, "profile")}`, "--window-size=1200,2000",
        `--virtual-time-budget=${budgetMs}`, "--dump-dom", `file://${page}`,
      ],
      { encoding: "utf8", timeout: 120_000, killSignal: "SIGKILL", maxBuffer: 256 * 1024 * 1024 },
    );
    if (r.error) throw new Error(`notebook/runner: chromium failed to run: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`notebook/runner: chromium exited ${r.status}:\n${r.stderr.slice(-2000)}`);
    const dom = r.stdout;
    const plotContainers = (dom.match(/class="plot-container plotly"/g) ?? []).length;
    const htmlTag = /<html[^>]*>/i.exec(dom)?.[0] ?? "";
    const errAttr = /data-snn-js-errors="([^"]*)"/.exec(htmlTag)?.[1];
    let jsErrors: string[] = [];
    if (errAttr) {
      const json = errAttr.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
      const v: unknown = JSON.parse(json);
      jsErrors = Array.isArray(v) ? v.map(String) : [String(v)];
    }
    return { plotContainers, jsErrors, loaded: /data-snn-loaded="1"/.test(htmlTag) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
