/**
 * The notebooks' view of the paper's released data (io/paper-data.ts): one Markdown cell saying where
 * the data were found, or, when they are not, a "not available — how to get it" cell, so a notebook's
 * released-data sections render that note instead of failing (an offline first run).
 */
import { FETCH_PAPER_DATA_COMMAND, paperDataStatus, type PaperDataStatus } from "../io/paper-data";
import { markdown } from "./output";

/** Heading of the "not available" cell; `npm start` looks for it in the reports to call them partial. */
export const PAPER_DATA_UNAVAILABLE_TITLE = "Paper data not available";

/** Markdown of the notice (exported for tests). */
export function paperDataNoticeMarkdown(needs: string, notebook: string, status: PaperDataStatus): string {
  if (status.available) return `Released data: \`${status.dir}\` (${status.source === "cache" ? "the project cache" : status.source}).`;
  const searched = status.searched.map((p) => `\`${p.dir}\`${p.source === "SNN_PAPER_DATA" ? " (SNN_PAPER_DATA)" : ""}`).join(", ");
  return [
    `### ${PAPER_DATA_UNAVAILABLE_TITLE}`,
    "",
    `${needs} needs the paper's released metrics (eliacunegatti/mge-snn, graph_data/), which are not on this machine ` +
      `(searched ${searched}). Those sections are left out of this report; everything else ran.`,
    "",
    `**How to get them:** run \`${FETCH_PAPER_DATA_COMMAND}\` in the project (downloads them once from the pinned commit and ` +
      `verifies their SHA-256 sums), then re-run this notebook: \`npm run notebooks -- ${notebook}\`. ` +
      `Or point at a copy you have: \`SNN_PAPER_DATA=/path/to/paper-data npm run notebooks -- ${notebook}\`.`,
  ].join("\n");
}

/**
 * Shows where the paper's data are, or the "not available — how to get it" cell; returns whether they
 * are available, for the notebook to guard its released-data cells with.
 * @example const paper = paperDataNotice("Section 4", "03"); if (paper) { ... }
 */
export function paperDataNotice(needs: string, notebook: string, status: PaperDataStatus = paperDataStatus()): boolean {
  markdown(paperDataNoticeMarkdown(needs, notebook, status));
  return status.available;
}
