/**
 * Execution slots for the grid runner: each slot runs one cell at a time, either in this process
 * (`inProcessSlot`, for notebooks and `--workers 0`) or in a forked worker process (`forkSlot`).
 * A forked worker runs the TypeScript sources through tsx, so `npx snn-topology run` works without
 * a build; in dist/ it runs the compiled .js.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Cell } from "./grid";
import { loadExecutorModule, type CellExecutor, type ExecutorModule, type Row } from "./executor";

export type ParentMessage =
  | { type: "init"; executorPath: string; executorOptions?: Record<string, unknown> }
  | { type: "cell"; cell: Cell; artifactDir: string; dense?: Row }
  | { type: "shutdown" };

export type WorkerMessage =
  | { type: "ready"; info: Row }
  | { type: "init-error"; message: string; stack?: string }
  | { type: "stage"; key: string; stage: string }
  | { type: "row"; key: string; row: Row }
  | { type: "error"; key: string; message: string; stack?: string };

export interface Slot {
  readonly id: number;
  /** Versions/backend of the executor in this slot (merged into every row it produces). */
  readonly info: Row;
  run(cell: Cell, artifactDir: string, dense: Row | undefined, onStage: (stage: string) => void): Promise<Row>;
  close(): Promise<void>;
}

export async function inProcessSlot(id: number, executor: string | ExecutorModule, options?: Record<string, unknown>): Promise<Slot> {
  const mod = typeof executor === "string" ? loadExecutorModule(executor) : executor;
  const ex: CellExecutor = await mod.createExecutor(options);
  const info: Row = ex.info ? await ex.info() : {};
  return {
    id,
    info,
    run(cell, artifactDir, dense, onStage) {
      return ex.run(cell, { artifactDir, dense, stage: onStage });
    },
    async close() {
      await ex.close?.();
    },
  };
}

/** The worker entry next to this file, and the node flags that let it load TypeScript. */
function workerEntry(): { file: string; execArgv: string[] } {
  const ts = path.join(__dirname, "worker.ts");
  if (existsSync(ts) && !existsSync(path.join(__dirname, "worker.js"))) {
    const tsx = pathToFileURL(require.resolve("tsx")).href;
    return { file: ts, execArgv: ["--import", tsx] };
  }
  return { file: path.join(__dirname, "worker.js"), execArgv: [] };
}

/** Error raised when a worker process dies while running a cell (out of memory, killed, crashed). */
export class WorkerDiedError extends Error {}

export async function forkSlot(id: number, executorPath: string, options?: Record<string, unknown>): Promise<Slot> {
  const entry = workerEntry();
  const child: ChildProcess = fork(entry.file, [], {
    execArgv: entry.execArgv,
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, SNN_WORKER_ID: String(id) },
  });
  let pending: { key: string; resolve: (r: Row) => void; reject: (e: Error) => void; onStage: (s: string) => void } | undefined;
  let exited = false;
  let exitText = "";

  const info = await new Promise<Row>((resolve, reject) => {
    const onMessage = (raw: unknown): void => {
      const msg = raw as WorkerMessage;
      if (msg.type === "ready") {
        child.off("message", onMessage);
        child.off("exit", onEarlyExit);
        resolve(msg.info);
      } else if (msg.type === "init-error") {
        child.off("exit", onEarlyExit);
        child.kill("SIGKILL");
        reject(new Error(`experiment/pool: worker ${id} could not create the executor: ${msg.message}`));
      }
    };
    const onEarlyExit = (code: number | null, signal: string | null): void => {
      reject(new Error(`experiment/pool: worker ${id} exited during start-up (code ${code}, signal ${signal})`));
    };
    child.on("message", onMessage);
    child.once("exit", onEarlyExit);
    child.send({ type: "init", executorPath, executorOptions: options } satisfies ParentMessage);
  });

  child.on("message", (raw: unknown) => {
    const msg = raw as WorkerMessage;
    if (!pending) return;
    if (msg.type === "stage" && msg.key === pending.key) pending.onStage(msg.stage);
    else if (msg.type === "row" && msg.key === pending.key) {
      const p = pending;
      pending = undefined;
      p.resolve(msg.row);
    } else if (msg.type === "error" && msg.key === pending.key) {
      const p = pending;
      pending = undefined;
      const e = new Error(msg.message);
      if (msg.stack) e.stack = msg.stack;
      p.reject(e);
    }
  });
  child.on("exit", (code, signal) => {
    exited = true;
    exitText = `code ${code}, signal ${signal}`;
    if (pending) {
      const p = pending;
      pending = undefined;
      p.reject(new WorkerDiedError(`experiment/pool: worker ${id} died while running the cell (${exitText})`));
    }
  });

  return {
    id,
    info,
    run(cell, artifactDir, dense, onStage) {
      if (exited) return Promise.reject(new WorkerDiedError(`experiment/pool: worker ${id} is gone (${exitText})`));
      if (pending) return Promise.reject(new Error(`experiment/pool: worker ${id} is busy`));
      return new Promise<Row>((resolve, reject) => {
        pending = { key: cell.key, resolve, reject, onStage };
        child.send({ type: "cell", cell, artifactDir, dense } satisfies ParentMessage);
      });
    },
    close() {
      if (exited) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        try {
          child.send({ type: "shutdown" } satisfies ParentMessage);
        } catch {
          child.kill("SIGKILL");
        }
      });
    },
  };
}
