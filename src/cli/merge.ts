/**
 * `snn-topology merge`: combines results of shards (or separate runs) into one, de-duplicating by
 * cell_key and refusing files with different headers.
 */
import { statSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Command } from "./main";
import { mergeResultDirs, mergeResultFiles } from "../experiment/merge";

const HELP = `usage: snn-topology merge INPUT... --out OUTPUT

INPUTs are either results folders written by \`snn-topology run\` (their results.csv and dense.csv
are merged into the folder OUTPUT) or results CSV files (merged into the file OUTPUT).
Rows are de-duplicated by cell_key (first occurrence wins) and sorted by it; inputs with a
different header are refused.
`;

export const command: Command = {
  summary: "merge results of grid shards into one results folder or file",
  async run(argv: string[]): Promise<number> {
    if (argv.includes("--help") || argv.includes("-h")) {
      process.stdout.write(HELP);
      return 0;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: { out: { type: "string" } }, strict: true, allowPositionals: true });
    } catch (err) {
      throw new Error(`merge: ${(err as Error).message}\n\n${HELP}`);
    }
    const inputs = parsed.positionals;
    const out = parsed.values.out;
    if (!out || inputs.length === 0) throw new Error(`merge: need at least one input and --out\n\n${HELP}`);
    const dirs = inputs.map((p) => {
      try {
        return statSync(p).isDirectory();
      } catch {
        throw new Error(`merge: '${p}' does not exist`);
      }
    });
    if (dirs.some((d) => d !== dirs[0])) throw new Error("merge: give either results folders or CSV files, not both");
    const warnVersions = (versions: string[]): void => {
      if (versions.length > 1) {
        process.stderr.write(`merge: warning: the rows come from ${versions.length} code versions (${versions.join(", ")}); shards should run the same code\n`);
      }
    };
    if (dirs[0]) {
      const r = mergeResultDirs(inputs, out);
      warnVersions(r.results.codeVersions);
      process.stdout.write(
        `merged ${inputs.length} folders into ${out}: ${r.results.rows} rows (${r.results.duplicates} duplicates dropped)` +
          (r.dense ? `, ${r.dense.rows} dense baselines (${r.dense.duplicates} duplicates dropped)` : "") + "\n",
      );
    } else {
      const r = mergeResultFiles(inputs, out);
      warnVersions(r.codeVersions);
      process.stdout.write(`merged ${inputs.length} files into ${out}: ${r.rows} rows (${r.duplicates} duplicates dropped)\n`);
    }
    return 0;
  },
};
