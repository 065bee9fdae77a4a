import os, shutil, sys, time
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

def copy_project(tmp_path):
    "A throw-away copy of nbs/ with settings.ini beside it, as a learner's clone has them (the notebooks' `nbdev_export` cell needs settings.ini); returns the copy of nbs/"
    shutil.copytree(ROOT/'nbs', tmp_path/'nbs', ignore=shutil.ignore_patterns('.ipynb_checkpoints', 'models'))
    shutil.copy(ROOT/'settings.ini', tmp_path/'settings.ini')
    return tmp_path/'nbs'

def pytest_terminal_summary(terminalreporter):
    "Name the screenshots this run took (the docs site's pages, the notebook run in JupyterLab), whichever test took them"
    shots = ROOT/'docs'/'_build'/'screenshots'
    new = sorted(p.name for p in shots.glob('*.png') if p.stat().st_mtime >= START) if shots.is_dir() else []
    if new: terminalreporter.write_line(f'screenshots in {shots}: {", ".join(new)}')
