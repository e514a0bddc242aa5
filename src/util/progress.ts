/**
 * Progress reporting for long work. Library code takes an optional `Progress` and calls it;
 * the CLI passes a terminal bar (stderr), notebooks pass an updating display
 * (see src/notebook/progress.ts). Reporting is throttled by the sink, not by the caller.
 */
export interface Progress {
  /** `done` of `total` units finished; `label` names the current item (layer, cell, metric). */
  update(done: number, total: number, label?: string): void;
  /** Work finished (or abandoned): the sink clears or finalises its display. */
  finish(message?: string): void;
}

/** A sink that ignores everything, for callers that pass no progress. */
export const silentProgress: Progress = {
  update(): void {},
  finish(): void {},
};

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(sec).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * A one-line terminal bar with percentage, ETA and the current label, redrawn at most every
 * `intervalMs`. On a non-TTY stream it prints a plain line every 10 % instead of carriage returns,
 * so CI logs stay readable.
 */
export function terminalProgress(
  title: string,
  stream: NodeJS.WriteStream = process.stderr,
  intervalMs = 200,
): Progress {
  const start = Date.now();
  let last = 0;
  let lastDecile = -1;
  const tty = Boolean(stream.isTTY);
  return {
    update(done: number, total: number, label?: string): void {
      const now = Date.now();
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      if (!tty) {
        const decile = Math.floor(frac * 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        stream.write(`${title}: ${Math.round(frac * 100)}% (${done}/${total})${label ? ` ${label}` : ""}\n`);
        return;
      }
      if (now - last < intervalMs && done < total) return;
      last = now;
      const elapsed = (now - start) / 1000;
      const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : Number.NaN;
      const width = 24;
      const filled = Math.round(frac * width);
      const bar = "#".repeat(filled) + "-".repeat(width - filled);
      const line = `${title} [${bar}] ${(frac * 100).toFixed(1)}% ${done}/${total} ETA ${formatDuration(eta)}${label ? ` ${label}` : ""}`;
      const cols = stream.columns ?? 120;
      stream.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length))}\x1b[K`);
    },
    finish(message?: string): void {
      const elapsed = formatDuration((Date.now() - start) / 1000);
      if (tty) stream.write("\r\x1b[K");
      stream.write(`${title}: ${message ?? "done"} in ${elapsed}\n`);
    },
  };
}
