"""The notebooks in a real Jupyter kernel, as JupyterLab runs them: this venv's ipykernel in a separate process, started
in a throw-away copy of nbs/. `nbdev_test` runs the notebooks in-process with execnb instead; test_jupyterlab.py runs one
notebook through JupyterLab's UI."""
import configparser, os, sys, time
from pathlib import Path
import nbclient, nbformat, pytest
from jupyter_client.manager import start_new_kernel
from nbdev.process import extract_directives
from conftest import BIN, copy_project, kept_runs

ROOT = Path(__file__).resolve().parent.parent

def kernel_env(tmp_path):
    "This venv first on PATH, Jupyter's runtime files in `tmp_path`; conftest's XDG_CACHE_HOME and FASTAI_HOME pass through"
    return kept_runs(dict(os.environ, PATH=f'{BIN}{os.pathsep}{os.environ["PATH"]}',
                          JUPYTER_RUNTIME_DIR=str(tmp_path/'jupyter_runtime'), IPYTHONDIR=str(tmp_path/'ipython')))

def skip_flags():
    "The flags whose cells `nbdev_test` skips (settings.ini's tst_flags)"
    cfg = configparser.ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini')
    return set(cfg['DEFAULT'].get('tst_flags', '').split())

def skipped(cell, flags):
    "Whether `nbdev_test` skips `cell`: a flag of `flags` among its directives (`#| slow`), or `#| eval: false`"
    d = extract_directives(cell, remove=False)   # nbdev's own parser, so `#|slow` and `#| slow` read the same
    return bool(flags & d.keys()) or d.get('eval:', [''])[0].lower() == 'false'

def fast_copy(fn, flags):
    "The notebook `fn` without the cells `nbdev_test` skips: a real kernel would run slow cells (minutes each) too"
    nb = nbformat.read(fn, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type != 'code' or not skipped(c, flags)]
    return nb

def run_in_kernel(fn, env, timeout=600):
    "Execute the notebook `fn` (its slow cells dropped) in a fresh kernel whose working directory is `fn`'s folder; returns the seconds it took"
    nb, t = fast_copy(fn, skip_flags()), time.perf_counter()
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(fn.parent)}})
    client.execute(env=env)   # raises CellExecutionError, with the cell and its traceback, at the first failing cell
    return time.perf_counter() - t

def test_slow_cells_are_dropped_like_nbdev_test():
    cells = [nbformat.v4.new_code_cell(s) for s in ('#| slow\nx = 1', '#|slow\nx = 2', '#| eval: false\nx = 3', '#| export\nx = 4', 'x = 5  # slow')]
    assert [skipped(c, {'slow'}) for c in cells] == [True, True, True, False, False]
    assert 'slow' in skip_flags()

def test_package_imports_from_a_kernel_in_nbs(tmp_path):
    "A learner opens a notebook in nbs/: its kernel imports the package the editable install points at, nothing else installed"
    nbs = copy_project(tmp_path)
    km, kc = start_new_kernel(kernel_name='python3', cwd=str(nbs), env=kernel_env(tmp_path))
    out = []
    try:
        code = 'import os, sys, rnn_from_scratch\nprint(os.getcwd(), sys.executable, rnn_from_scratch.__file__, sep="\\n")'
        reply = kc.execute_interactive(code, timeout=120, output_hook=lambda m: out.append(m['content'].get('text', '')))
    finally:
        kc.stop_channels(); km.shutdown_kernel(now=True)
    assert reply['content']['status'] == 'ok', reply['content']
    cwd, exe, mod = ''.join(out).split()
    assert Path(cwd) == nbs
    assert exe == sys.executable                                          # this venv's python, through its ipykernel
    assert Path(mod).resolve() == ROOT/'rnn_from_scratch'/'__init__.py'   # the repository's package, not a copy
    assert not km.is_alive()

# Every notebook runs in nbdev_test (execnb, in-process). Here, by default, a few cheap ones also run in a real kernel: the
# data every notebook uses, the first model, and two appendices whose slow cells (many minutes) must be dropped, as
# nbdev_test drops them; test_jupyterlab.py runs 04_many_to_many through JupyterLab itself. RNNFS_KERNEL_NBS=all runs
# every notebook in a kernel (minutes: it trains what nbdev_test trains, again).
DEFAULT_NBS = ['00_data', '01_unrolled', '12a_fast_gates', '15a_seq2seq_seeds']
ALL_NBS = sorted(p.stem for p in (ROOT/'nbs').glob('[!_]*.ipynb'))

@pytest.mark.parametrize('stem', ALL_NBS if os.environ.get('RNNFS_KERNEL_NBS') == 'all' else DEFAULT_NBS)
def test_notebook_runs_in_a_kernel(stem, tmp_path):
    secs = run_in_kernel(copy_project(tmp_path)/f'{stem}.ipynb', kernel_env(tmp_path))
    print(f'{stem}: {secs:.1f} s in a kernel')
