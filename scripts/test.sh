#!/usr/bin/env bash
# Every check, as CI runs it: the package equals what the notebooks export, the notebooks are clean,
# README.md matches nbs/index.ipynb, every notebook runs (nbdev_test), and pytest tests/.
# Needs the .venv that scripts/setup.sh makes.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" PYTHONDONTWRITEBYTECODE=1
# one thread per process: two workers on two cores, never four threads fighting over them (a kernel the tests start
# ran 08_varlen in 97 s with PyTorch's default threads, 27 s with one); training sets its own threads either way
export OMP_NUM_THREADS=1
start=$SECONDS
snap=$(mktemp -d); trap 'rm -rf "$snap"' EXIT
step() { printf '\n== %s\n' "$*"; }
unchanged_by() {  # unchanged_by DIR CMD...: run CMD, fail if it changed any file under DIR
  local dir=$1; shift
  rm -rf "$snap/$dir"; mkdir -p "$snap/$dir"; cp -a "$dir/." "$snap/$dir/"
  "$@" >/dev/null
  if ! diff -r -q -x __pycache__ "$snap/$dir" "$dir"; then echo "FAIL: '$*' changed the files above: run it and commit"; exit 1; fi
}
step "nbdev_export leaves rnn_from_scratch/ unchanged"; unchanged_by rnn_from_scratch nbdev_export
step "nbdev_clean leaves nbs/ unchanged";               unchanged_by nbs nbdev_clean
step "README.md matches nbs/index.ipynb";               python tools/make_readme.py --check
step "nbdev_test: every notebook runs top to bottom"
# notebooks that train the same registered model with the same seed share one run (train_model's RNNFS_TRAIN_CACHE)
t=$SECONDS; RNNFS_TRAIN_CACHE="$snap/runs" nbdev_test --n_workers 2; echo "nbdev_test took $((SECONDS - t)) s"
step "pytest tests/"
# on every core: the docs pages share one site and the JupyterLab tests one server (xdist groups, --dist loadgroup)
# the notebooks the tests run in a kernel or in JupyterLab reuse nbdev_test's kept training runs (conftest.kept_runs)
RNNFS_NB_RUNS="$snap/runs" python -m pytest tests -q -p no:cacheprovider -n auto --dist loadgroup --durations=12
secs=$((SECONDS - start)); echo "all checks passed in $secs s"
# machines differ several times in speed: how fast this one trained, read from nbdev_test's kept runs, with the time scaled
python tools/machine_speed.py "$snap/runs" "$secs"
