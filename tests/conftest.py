import os, sys
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent

@pytest.fixture(autouse=True)
def _cache_home(tmp_path_factory, monkeypatch):
    "Generate HUMAN_NUMBERS into one temporary cache per session, never into the user's home"
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path_factory.getbasetemp()/'cache'))
    monkeypatch.setenv('FASTAI_HOME', str(tmp_path_factory.getbasetemp()/'no_fastai'))

def pytest_terminal_summary(terminalreporter):
    shots = Path(__file__).resolve().parent.parent/'docs'/'_build'/'screenshots'
    if shots.is_dir() and any(shots.iterdir()): terminalreporter.write_line(f'docs screenshots: {shots}')
