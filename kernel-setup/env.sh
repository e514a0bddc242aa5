# Sourced by the kernel-setup scripts: the environment under which Jupyter finds the project's
# kernelspec (kernel-setup/jupyter/kernels/snn-topology-tslab) and keeps runtime files in .cache/.
# Mirrors src/notebook/jupyter-env.ts.
SNN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JUPYTER_PATH="$SNN_ROOT/kernel-setup/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export JUPYTER_RUNTIME_DIR="${JUPYTER_RUNTIME_DIR:-$SNN_ROOT/.cache/jupyter-runtime}"
# Debian's jupyter scripts run /usr/bin/python3; a pyenv python3 earlier on PATH would lack Jupyter.
SNN_PYTHON=/usr/bin/python3
[ -x "$SNN_PYTHON" ] || SNN_PYTHON="$(command -v python3)"
export SNN_PYTHON
