#!/usr/bin/python3
"""Executes ONE notebook headless with the project's tslab kernel, checks it, exports HTML.

Used by kernel-setup/run-notebooks.sh and tests/notebooks/notebooks.test.ts, one process per
notebook (a failing notebook must not stop the others). Runs nbclient in-process rather than
`jupyter nbconvert --execute` because on failure nbconvert saves nothing and reports only
"<Error>: " (tslab sends no `error` message; its error text is a stderr stream output), whereas
here the partly executed notebook is saved and the failing cell's stderr is reported.

A notebook fails when a cell throws, has a TypeScript error, times out or kills the kernel, and
also when any cell's stderr holds tslab's "UncaughtException"/"UnhandledPromiseRejection" text
(tslab reports async errors without failing the cell).

Prints one JSON line (the summary) as its last stdout line; exit 0 = passed, 1 = failed, 2 = usage.
Needs only Debian's jupyter-nbconvert (nbclient, nbformat, nbconvert); run it with /usr/bin/python3.
"""
import argparse
import json
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ASYNC_ERROR = re.compile(r"UncaughtException|UnhandledPromiseRejection")
PLOT_MARKER = "data-snn-plot"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def text_of(output):
    t = output.get("text", "")
    return "".join(t) if isinstance(t, list) else t


def stderr_of(cell):
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream" and o.get("name") == "stderr":
            parts.append(text_of(o))
        elif o.get("output_type") == "error":
            parts.append("%s: %s\n%s" % (o.get("ename"), o.get("evalue"), "\n".join(o.get("traceback", []))))
    return "".join(parts)


def html_of(output):
    h = output.get("data", {}).get("text/html", "")
    return "".join(h) if isinstance(h, list) else h


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebook")
    ap.add_argument("--out-dir", required=True, help="where the executed .ipynb is written")
    ap.add_argument("--html-dir", help="also export HTML here")
    ap.add_argument("--timeout", type=int, default=240, help="seconds per cell (default 240)")
    ap.add_argument("--startup-timeout", type=int, default=120, help="seconds for the kernel to start")
    args = ap.parse_args()

    name = os.path.basename(args.notebook)
    stem = os.path.splitext(name)[0]
    summary = {"notebook": name, "ok": False, "error": None, "failedCell": None, "executed": None,
               "html": None, "plots": 0, "asyncErrors": [], "kernel": None, "seconds": 0.0}
    t0 = time.time()
    nb = nbformat.read(args.notebook, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    summary["kernel"] = kernel
    client = NotebookClient(nb, timeout=args.timeout, startup_timeout=args.startup_timeout,
                            kernel_name=kernel or "", record_timing=False, allow_errors=False,
                            resources={"metadata": {"path": ROOT}})
    try:
        client.execute()
    except CellTimeoutError as e:
        summary["error"] = "timeout: a cell ran longer than %d s (%s)" % (args.timeout, str(e).strip().splitlines()[0] if str(e).strip() else "")
    except DeadKernelError as e:
        summary["error"] = "the kernel died: %s" % e
    except CellExecutionError as e:
        summary["error"] = "cell failed"
    except Exception as e:  # NoSuchKernel, startup timeout, zmq errors
        summary["error"] = "%s: %s" % (type(e).__name__, e)

    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr" and ASYNC_ERROR.search(text_of(o)):
                summary["asyncErrors"].append("cell %d: %s" % (i, text_of(o).strip()[:2000]))
            if o.get("output_type") in ("display_data", "execute_result") and PLOT_MARKER in html_of(o):
                summary["plots"] += 1
    if summary["error"] == "cell failed" or (summary["error"] and summary["error"].startswith("timeout")):
        # The failing cell is the last one with outputs or the first code cell after them; tslab
        # writes the error text (stack, or "line:col - TS message") to its stderr stream.
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and stderr_of(cell):
                summary["failedCell"] = i
                src = cell.source if len(cell.source) < 600 else cell.source[:600] + " ..."
                summary["error"] = "%s in cell %d:\n--- source ---\n%s\n--- stderr ---\n%s" % (
                    summary["error"], i, src, stderr_of(cell)[-4000:])
                break
    if summary["asyncErrors"] and not summary["error"]:
        summary["error"] = "asynchronous error(s) reported by tslab:\n" + "\n".join(summary["asyncErrors"])

    os.makedirs(args.out_dir, exist_ok=True)
    out = os.path.join(args.out_dir, name)
    nbformat.write(nb, out)
    summary["executed"] = out
    if args.html_dir:
        from nbconvert import HTMLExporter
        body, _ = HTMLExporter().from_notebook_node(nb, resources={"metadata": {"name": stem}})
        os.makedirs(args.html_dir, exist_ok=True)
        html = os.path.join(args.html_dir, stem + ".html")
        with open(html, "w", encoding="utf-8") as f:
            f.write(body)
        summary["html"] = html
    summary["ok"] = summary["error"] is None
    summary["seconds"] = round(time.time() - t0, 2)
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
