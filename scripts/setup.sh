#!/usr/bin/env bash
# Set up .venv for rnn_from_scratch on a fresh machine (Python 3.11+): torch's CPU build first,
# then the package with [dev] (nbdev, the test tools, and JupyterLab with ipykernel for learners),
# every install under constraints.txt so pip never swaps torch for a CUDA build. Safe to run again:
# it skips the installs when nothing they depend on changed.
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
  echo "setup: installing torch (CPU) and rnn_from_scratch[dev] (with JupyterLab) into .venv (about a minute)"
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt torch
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]"
  .venv/bin/python -c 'import torch, fastai, nbdev, jupyterlab; print(f"setup: torch {torch.__version__}, fastai {fastai.__version__}, nbdev {nbdev.__version__}, jupyterlab {jupyterlab.__version__}")'
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
