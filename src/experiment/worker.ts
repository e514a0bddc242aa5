/**
 * Entry of a grid worker process (forked by src/experiment/pool.ts). It loads the executor module
 * named by the parent, then runs the cells it is sent one at a time and sends each row back; the
 * parent alone writes the results file. It exits when the parent disconnects (including when the
 * parent is killed), so a killed run leaves no orphans working on stale cells.
 */
import type { Cell } from "./grid";
import { loadExecutorModule, type CellExecutor, type Row } from "./executor";
import type { ParentMessage, WorkerMessage } from "./pool";

let executor: CellExecutor | undefined;

function send(msg: WorkerMessage): void {
  if (process.send) process.send(msg);
}

function errorText(err: unknown): { message: string; stack?: string } {
  if (err instanceof Error) return { message: err.message, stack: err.stack };
  return { message: String(err) };
}

async function init(executorPath: string, options: Record<string, unknown> | undefined): Promise<void> {
  try {
    executor = await loadExecutorModule(executorPath).createExecutor(options);
    const info: Row = executor.info ? await executor.info() : {};
    send({ type: "ready", info });
  } catch (err) {
    send({ type: "init-error", ...errorText(err) });
  }
}

async function runCell(cell: Cell, artifactDir: string, dense: Row | undefined): Promise<void> {
  if (!executor) {
    send({ type: "error", key: cell.key, message: "experiment/worker: cell received before the executor was ready" });
    return;
  }
  try {
    const row = await executor.run(cell, {
      artifactDir,
      dense,
      stage: (name: string) => send({ type: "stage", key: cell.key, stage: name }),
    });
    send({ type: "row", key: cell.key, row });
  } catch (err) {
    send({ type: "error", key: cell.key, ...errorText(err) });
  }
}

process.on("message", (raw: unknown) => {
  const msg = raw as ParentMessage;
  if (msg.type === "init") void init(msg.executorPath, msg.executorOptions);
  else if (msg.type === "cell") void runCell(msg.cell, msg.artifactDir, msg.dense);
  else if (msg.type === "shutdown") {
    void Promise.resolve(executor?.close?.()).finally(() => process.exit(0));
  }
});

process.on("disconnect", () => process.exit(0));
