#!/usr/bin/env bash
# `npm run lab`: serves notebooks/ with Debian's classic Jupyter Notebook and the project's tslab
# kernel, on 127.0.0.1 only, with token authentication (open the URL with ?token=... that it
# prints). No browser is started. Extra arguments go to `jupyter notebook`, except ones that
# would switch authentication off or listen on other interfaces, which are refused.
#   npm run lab                  # port 8888 or SNN_LAB_PORT (or the next free one)
#   npm run lab -- --port 9000
# Charts (plotly) show once a notebook is trusted; outputs you create in the session are trusted.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$SNN_ROOT/kernel-setup/setup.sh" --lab

for arg in "$@"; do
  case "$arg" in
    *token=|*token=\"\"|*token=\'\'|*password=|*password=\"\"|*password=\'\'|*disable_check_xsrf*|--ip*|*NotebookApp.ip*)
      echo "kernel-setup/lab.sh: refusing '$arg': the server stays on 127.0.0.1 with token authentication" >&2
      exit 2 ;;
  esac
done
if [ ! -d "$SNN_ROOT/node_modules/tslab" ]; then
  echo "kernel-setup/lab.sh: node_modules/tslab is missing; run 'npm ci' first" >&2
  exit 1
fi

extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
case " $* " in *" --port"*|*"NotebookApp.port"*) ;; *) extra+=(--port="${SNN_LAB_PORT:-8888}") ;; esac
mkdir -p "$JUPYTER_RUNTIME_DIR"
echo "kernel-setup/lab.sh: kernel 'TypeScript (snn-topology, tslab)' from $SNN_ROOT/kernel-setup/jupyter" >&2
exec jupyter notebook --no-browser --ip=127.0.0.1 \
  --notebook-dir="$SNN_ROOT/notebooks" "${extra[@]}" "$@"
