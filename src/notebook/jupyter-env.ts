/**
 * The environment under which Jupyter finds the project-local kernel
 * (kernel-setup/jupyter/kernels/snn-topology-tslab) and keeps its runtime files inside the
 * project (.cache/, gitignored). Used by the notebook tests and CLI commands that start Jupyter;
 * kernel-setup/env.sh does the same for the shell scripts.
 */
import path from "node:path";
import { projectRoot } from "../io/paths";

/** Name of the project's kernelspec; notebooks name it in metadata.kernelspec.name. */
export const KERNEL_NAME = "snn-topology-tslab";

/** Folder to put on JUPYTER_PATH. */
export function jupyterPathDir(root: string = projectRoot()): string {
  return path.join(root, "kernel-setup", "jupyter");
}

/** `base` (default process.env) plus JUPYTER_PATH (prepended) and a project-local JUPYTER_RUNTIME_DIR. */
export function jupyterEnv(root: string = projectRoot(), base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const dir = jupyterPathDir(root);
  const prev = base.JUPYTER_PATH;
  return {
    ...base,
    JUPYTER_PATH: prev && prev.length > 0 ? `${dir}${path.delimiter}${prev}` : dir,
    JUPYTER_RUNTIME_DIR: base.JUPYTER_RUNTIME_DIR ?? path.join(root, ".cache", "jupyter-runtime"),
  };
}
