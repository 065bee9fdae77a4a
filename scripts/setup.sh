#!/usr/bin/env bash
# Set up .venv for rnn_from_scratch on a fresh machine (Python 3.11+): torch first (the CPU build unless the
# machine has an NVIDIA GPU: scripts/torch_index.py decides, TORCH_INDEX_URL overrides), then the package with
# [dev] (nbdev, the test tools, and JupyterLab with ipykernel for learners), every install under constraints.txt
# so pip never swaps the torch it installed for another build. Safe to run again: it skips the installs when
# nothing they depend on changed.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$py" -m venv .venv
stamp=.venv/.rnnfs-installed
if [ -f "$stamp" ] && [ -z "$(find settings.ini setup.py constraints.txt -newer "$stamp")" ] \
   && .venv/bin/python -c 'import rnn_from_scratch, nbdev, fastai, jupyterlab, ipykernel' 2>/dev/null; then
  echo "setup: .venv is up to date"; venv_ok=1
fi
if [ -z "${venv_ok:-}" ]; then
  echo "setup: installing torch and rnn_from_scratch[dev] (with JupyterLab) into .venv (a minute or two)"
  pipi() { .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt "$@"; }
  index=$("$py" scripts/torch_index.py)   # prints why on stderr
  # torchvision (which fastai requires) from the same index, so that it matches torch's build
  if [ -n "$index" ]; then pipi --index-url "$index" torch torchvision || { echo "setup: $index failed: torch from pip's configured index"; pipi torch; }
  else pipi torch; fi
  # The rest through uv, which resolves and installs several times faster than pip (measured: 32 s against minutes on a
  # 2-core machine); pip does it where uv cannot be had or fails. Either way torch stays the build installed above.
  if .venv/bin/python -m pip install -q --disable-pip-version-check uv 2>/dev/null \
     && .venv/bin/uv pip install -q --python .venv/bin/python -c constraints.txt --compile-bytecode -e ".[dev]"; then :
  else echo "setup: uv unavailable or failed: installing with pip"; pipi -e ".[dev]"; fi
  .venv/bin/python - <<'PY'
import torch, fastai, nbdev, jupyterlab
build = f'CUDA {torch.version.cuda} build' if torch.version.cuda else 'CPU build'
print(f'setup: torch {torch.__version__} ({build}), fastai {fastai.__version__}, nbdev {nbdev.__version__}, jupyterlab {jupyterlab.__version__}')
if torch.version.cuda and not torch.cuda.is_available():
    print('setup: this CUDA build finds no GPU here and trains on the CPU; for the smaller CPU build, delete .venv and run again '
          'with TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu')
PY
fi
# The browser tests (the docs site, JupyterLab) drive Debian's chromium (playwright downloads no browser here).
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing chromium for the browser tests"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: chromium is missing and cannot be installed here: the browser tests will be skipped (install it: apt-get install chromium)"
  fi
fi
touch "$stamp"
