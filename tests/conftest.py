import os, shutil, subprocess, sys, time
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
START = time.time()

@pytest.fixture(autouse=True)
def _cache_home(tmp_path_factory, monkeypatch):
    "Generate HUMAN_NUMBERS into one temporary cache per session, never into the user's home"
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path_factory.getbasetemp()/'cache'))
    monkeypatch.setenv('FASTAI_HOME', str(tmp_path_factory.getbasetemp()/'no_fastai'))

def pytest_configure(config):
    "Refuse `--dist loadgroup` where it silently does not group (pytest 9.2 with pytest-xdist 3.8: xdist issue #1386)"
    if getattr(config.option, 'dist', None) == 'loadgroup' and not hasattr(config, 'workerinput'):
        import xdist
        if pytest.version_tuple[:2] >= (9, 2) and tuple(map(int, xdist.__version__.split('.')[:2])) <= (3, 8):
            raise pytest.UsageError(f'--dist loadgroup does not group tests with pytest {pytest.__version__} and pytest-xdist '
                                    f'{xdist.__version__} (xdist issue #1386): the docs and JupyterLab tests would each start their '
                                    'own site, browser and server on every worker; install pytest<9.2 (bash scripts/setup.sh does)')

def kept_runs(env:dict)->dict:
    "`env`, with the training runs nbdev_test kept (scripts/test.sh names their folder in RNNFS_NB_RUNS) for the notebooks it starts"
    runs = os.environ.get('RNNFS_NB_RUNS')   # a notebook in a kernel then reuses them, as nbdev_test's notebooks did
    return dict(env, RNNFS_TRAIN_CACHE=runs) if runs else env

def copy_project(tmp_path):
    "A throw-away copy of nbs/ with settings.ini beside it, as a learner's clone has them (the notebooks' `nbdev_export` cell needs settings.ini); returns the copy of nbs/"
    shutil.copytree(ROOT/'nbs', tmp_path/'nbs', ignore=shutil.ignore_patterns('.ipynb_checkpoints', 'models'))
    shutil.copy(ROOT/'settings.ini', tmp_path/'settings.ini')
    return tmp_path/'nbs'

# ---- processes (ps works on Linux and macOS): the JupyterLab and Ctrl-C tests check that nothing of theirs is left running

def ps():
    "{pid: (ppid, state, command line)} of every process"
    out = subprocess.run(['ps', '-A', '-o', 'pid=,ppid=,stat=,args='], capture_output=True, text=True, check=True).stdout
    rows = (l.split(None, 3) for l in out.splitlines())
    return {int(r[0]): (int(r[1]), r[2], r[3] if len(r) > 3 else '') for r in rows}

def descendants(pid):
    "{pid: command line} of every living process below `pid`"
    procs, found, todo = ps(), {}, [pid]
    while todo:
        parent = todo.pop()
        for p, (pp, state, args) in procs.items():
            if pp == parent and not state.startswith('Z'): found[p] = args; todo.append(p)
    return found

def alive(pids):
    "The pids in `pids` that still run (zombies waiting for their parent count as gone)"
    procs = ps()
    return [p for p in pids if p in procs and not procs[p][1].startswith('Z')]

def wait_gone(pids, timeout):
    "Wait up to `timeout` s for `pids` to end; returns those still running"
    deadline = time.monotonic() + timeout
    while (left := alive(pids)) and time.monotonic() < deadline: time.sleep(0.2)
    return left

def pytest_terminal_summary(terminalreporter):
    "Name the screenshots this run took (the docs site's pages, the notebook run in JupyterLab), whichever test took them"
    shots = ROOT/'docs'/'_build'/'screenshots'
    new = sorted(p.name for p in shots.glob('*.png') if p.stat().st_mtime >= START) if shots.is_dir() else []
    if new: terminalreporter.write_line(f'screenshots in {shots}: {", ".join(new)}')
