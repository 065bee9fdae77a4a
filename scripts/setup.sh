#!/usr/bin/env bash
# Set up .venv for rnn_from_scratch on a fresh machine (Python 3.11+): torch's CPU build first,
# then the package with [dev], every install under constraints.txt so pip never swaps torch for
# a CUDA build. Safe to run again: it skips the installs when nothing they depend on changed.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$py" -m venv .venv
stamp=.venv/.rnnfs-installed
if [ -f "$stamp" ] && [ -z "$(find settings.ini setup.py constraints.txt -newer "$stamp")" ] \
   && .venv/bin/python -c 'import rnn_from_scratch, nbdev, fastai' 2>/dev/null; then
  echo "setup: .venv is up to date"; exit 0
fi
echo "setup: installing torch (CPU) and rnn_from_scratch[dev] into .venv (about a minute)"
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt torch
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]"
.venv/bin/python -c 'import torch, fastai, nbdev; print(f"setup: torch {torch.__version__}, fastai {fastai.__version__}, nbdev {nbdev.__version__}")'
touch "$stamp"
