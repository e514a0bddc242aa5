#!/usr/bin/env bash
# `npm run notebooks`: executes notebooks/*.ipynb headless with the project kernel, one process per
# notebook (so one failure does not hide the rest), and exports each to reports/<name>.html
# (executed .ipynb files go to reports/executed/). Exits non-zero if any notebook failed: a cell
# threw, had a TypeScript error, timed out, or tslab printed an asynchronous error.
#
#   npm run notebooks                          # all notebooks
#   npm run notebooks -- 02 04                 # only names containing "02" or "04"
#   npm run notebooks -- --results FILE        # notebooks read FILE instead of their default results
#   npm run notebooks -- --timeout 600         # seconds per cell (default 240)
#   npm run notebooks -- --out DIR             # write reports to DIR instead of reports/
#   npm run notebooks -- --dir DIR             # run DIR/*.ipynb instead of notebooks/
# Environment: SNN_NOTEBOOKS=02,04 (same as the name filters), SNN_RESULTS_FILE (same as --results).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SNN_ROOT"

filters=()
IFS=',' read -r -a env_filters <<< "${SNN_NOTEBOOKS:-}"
for f in "${env_filters[@]}"; do [ -n "$f" ] && filters+=("$f"); done
timeout=240
out="$SNN_ROOT/reports"
dir="notebooks"
while [ $# -gt 0 ]; do
  case "$1" in
    --results) [ $# -ge 2 ] || { echo "run-notebooks: --results needs a file" >&2; exit 2; }
      [ -f "$2" ] || { echo "run-notebooks: results file '$2' does not exist" >&2; exit 2; }
      SNN_RESULTS_FILE="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; export SNN_RESULTS_FILE; shift 2 ;;
    --timeout) [ $# -ge 2 ] || { echo "run-notebooks: --timeout needs seconds" >&2; exit 2; }
      timeout="$2"; shift 2 ;;
    --out) [ $# -ge 2 ] || { echo "run-notebooks: --out needs a folder" >&2; exit 2; }
      out="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --dir) [ $# -ge 2 ] || { echo "run-notebooks: --dir needs a folder" >&2; exit 2; }
      dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "run-notebooks: unknown option '$1'" >&2; exit 2 ;;
    *) filters+=("$1"); shift ;;
  esac
done

notebooks=()
for nb in "$dir"/*.ipynb; do
  [ -e "$nb" ] || continue
  if [ ${#filters[@]} -eq 0 ]; then notebooks+=("$nb"); continue; fi
  for f in "${filters[@]}"; do
    case "$(basename "$nb")" in *"$f"*) notebooks+=("$nb"); break ;; esac
  done
done
if [ ${#notebooks[@]} -eq 0 ]; then
  echo "run-notebooks: no notebook matches ${filters[*]:-$dir/*.ipynb}" >&2
  exit 1
fi

mkdir -p "$out/executed"
failed=()
for nb in "${notebooks[@]}"; do
  printf 'run-notebooks: %s ... ' "$nb" >&2
  summary=$("$SNN_PYTHON" kernel-setup/execute-notebook.py "$nb" --out-dir "$out/executed" \
    --html-dir "$out" --timeout "$timeout" | tail -n 1)
  rc=${PIPESTATUS[0]}
  if [ "$rc" = 0 ]; then
    secs=$(printf '%s' "$summary" | "$SNN_PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(d["seconds"], "s,", d["plots"], "charts ->", d["html"])')
    echo "ok ($secs)" >&2
  else
    echo "FAILED" >&2
    printf '%s' "$summary" | "$SNN_PYTHON" -c 'import json,sys
try:
    d = json.loads(sys.stdin.read())
    print(d.get("error")); print("executed notebook:", d.get("executed"))
except Exception:
    print("(no summary; see the messages above)")' >&2
    failed+=("$nb")
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "run-notebooks: ${#failed[@]} of ${#notebooks[@]} notebooks failed: ${failed[*]}" >&2
  exit 1
fi
echo "run-notebooks: all ${#notebooks[@]} notebooks passed; HTML in $out" >&2
