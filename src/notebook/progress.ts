/**
 * A `Progress` (src/util/progress.ts) drawn as an in-place updating notebook output: one HTML bar
 * with percentage, count, elapsed time, ETA and the current label, replaced through
 * `update_display_data` at most every `intervalMs`. The saved notebook keeps only the final
 * state. Outside a kernel (and with no sink installed) it draws nothing.
 */
import { formatDuration, type Progress } from "../util/progress";
import { escapeHtml, newDisplayHandle } from "./output";

export interface ProgressDisplayOptions {
  /** Minimum milliseconds between redraws (default 250); the first, the last and `finish` always draw. */
  readonly intervalMs?: number;
  /** Clock in ms, for tests (default Date.now). */
  readonly now?: () => number;
}

/** The HTML of one progress state; exported for tests and custom displays. */
export function progressHtml(title: string, done: number, total: number, elapsedS: number, label?: string, message?: string): string {
  const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const pct = (frac * 100).toFixed(1);
  const eta = message !== undefined ? "" : frac > 0 ? ` ETA ${formatDuration((elapsedS * (1 - frac)) / frac)}` : "";
  const status =
    message !== undefined
      ? `${escapeHtml(message)} in ${formatDuration(elapsedS)}`
      : `${pct}% (${done}/${total}) ${formatDuration(elapsedS)}${eta}${label ? ` · ${escapeHtml(label)}` : ""}`;
  const width = message !== undefined ? 100 : frac * 100;
  return (
    `<div class="snn-progress" style="font:13px monospace;max-width:640px">` +
    `<div>${escapeHtml(title)}: ${status}</div>` +
    `<div style="background:#e5e5e5;height:8px;border-radius:4px">` +
    `<div style="background:#4c78a8;height:8px;border-radius:4px;width:${width.toFixed(1)}%"></div></div></div>`
  );
}

/** A `Progress` that draws an updating bar in the current notebook cell. */
export function progressDisplay(title: string, options: ProgressDisplayOptions = {}): Progress {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 250;
  const start = now();
  const handle = newDisplayHandle();
  let last = -Infinity;
  let drawn = false;
  const text = (done: number, total: number, label?: string) => `${title}: ${done}/${total}${label ? ` ${label}` : ""}`;
  return {
    update(done: number, total: number, label?: string): void {
      const t = now();
      if (drawn && t - last < interval && done < total) return;
      last = t;
      drawn = true;
      handle.update({
        "text/html": progressHtml(title, done, total, (t - start) / 1000, label),
        "text/plain": text(done, total, label),
      });
    },
    finish(message?: string): void {
      const elapsed = (now() - start) / 1000;
      const msg = message ?? "done";
      handle.update({
        "text/html": progressHtml(title, 1, 1, elapsed, undefined, msg),
        "text/plain": `${title}: ${msg} in ${formatDuration(elapsed)}`,
      });
    },
  };
}
