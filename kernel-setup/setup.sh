#!/usr/bin/env bash
# Makes sure the system packages that the tests, the notebooks and `npm run lab` need are present.
# Idempotent and fast when everything is installed (one dpkg-query call). Run by `npm test`
# (scripts/test.js) and `npm start`; writes nothing inside or outside the project except what apt
# installs.
#
#   bash kernel-setup/setup.sh          # tests + headless notebooks: nbconvert, chromium, xgboost, Fashion-MNIST
#   bash kernel-setup/setup.sh --lab    # the above + jupyter-notebook (`npm run lab`) and jupyter-client (`jupyter kernelspec`)
#   bash kernel-setup/setup.sh --check  # only report what is missing; exit 1 if anything is
#
# Why these packages: jupyter-nbconvert runs notebooks headless and exports HTML (tests/notebooks);
# chromium renders that HTML to check the plotly charts; libxgboost0 is the gradient-boosting library
# used through koffi (src/analysis); dataset-fashion-mnist is one of the training sets (src/io).
# libjs-requirejs is what Debian's nbconvert HTML template loads from /usr/share/javascript.
# libdnnl2 is oneDNN, the native convolution/matmul kernels behind tfjs (src/nn/native; optional:
# without it training runs on the single-threaded wasm kernels).
set -euo pipefail

want=(jupyter-nbconvert chromium libxgboost0 dataset-fashion-mnist libjs-requirejs libdnnl2)
check_only=0
for arg in "$@"; do
  case "$arg" in
    --lab) want+=(jupyter-notebook jupyter-client) ;;
    --check) check_only=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "kernel-setup/setup.sh: unknown argument '$arg' (use --lab, --check)" >&2; exit 2 ;;
  esac
done

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  cat >&2 <<MSG
kernel-setup/setup.sh: this is not a Debian/Ubuntu system (no dpkg-query/apt-get), so nothing is installed.
Install the equivalents of these Debian packages yourself:
  - Jupyter nbconvert >= 6 with nbclient (pip install nbconvert)      -> 'jupyter nbconvert' on PATH
  - Jupyter Notebook 6 (only for 'npm run lab')                       -> 'jupyter notebook' on PATH
  - Chromium or Google Chrome (headless; set SNN_CHROMIUM=/path/to/binary)
  - XGBoost 1.7 shared library (libxgboost.so; Debian: libxgboost0)
  - oneDNN 2.x shared library (libdnnl.so.2; Debian: libdnnl2; optional, set SNN_DNNL_LIB=/path)
  - the Fashion-MNIST gzip files (Debian: dataset-fashion-mnist, /usr/share/datasets/fashion-mnist)
Then run the tests with SNN_SKIP_SETUP=1 npm test.
MSG
  exit 1
fi

missing=()
for p in "${want[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

apt_cmd=(apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}")
echo "kernel-setup/setup.sh: missing system packages: ${missing[*]}" >&2
if [ "$check_only" = 1 ]; then
  echo "install them with: sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive ${apt_cmd[*]}" >&2
  exit 1
fi

if [ "$(id -u)" = 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo_cmd=(sudo -n)
else
  cat >&2 <<MSG
kernel-setup/setup.sh: not root and no password-less sudo, so the packages cannot be installed from here.
Run this as root (or with sudo), then retry:
  apt-get update -o DPkg::Lock::Timeout=600 && DEBIAN_FRONTEND=noninteractive ${apt_cmd[*]}
MSG
  exit 1
fi

echo "kernel-setup/setup.sh: installing ${missing[*]} with apt-get" >&2
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -o DPkg::Lock::Timeout=600 -qq
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive "${apt_cmd[@]}"

still=()
for p in "${missing[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || still+=("$p")
done
if [ ${#still[@]} -ne 0 ]; then
  echo "kernel-setup/setup.sh: apt-get finished but these are still not installed: ${still[*]}" >&2
  exit 1
fi
