"Facts about the repository that keep the two README commands honest."
import re, subprocess, sys
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def readme_commands():
    return re.findall(r'```bash\n(.+?)\n```', (ROOT/'README.md').read_text())

def test_readme_gives_three_commands_and_ci_runs_the_test_one():
    cmds = readme_commands()
    main = [c for c in cmds if 'rnnfs' in c]; test = [c for c in cmds if 'scripts/test.sh' in c]
    lab = [c for c in cmds if 'jupyter lab' in c]
    assert len(cmds) == 3 and len(main) == 1 and len(test) == 1 and len(lab) == 1
    assert test[0] in (ROOT/'.ci'/'run').read_text().splitlines()
    assert all(c.startswith('bash scripts/setup.sh && ') for c in main + lab)
    assert lab[0].endswith('.venv/bin/jupyter lab nbs/')   # the learner's: JupyterLab from the set-up's venv, on the notebooks

def test_readme_matches_index():
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'make_readme.py'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr

def test_pins():
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini')
    dev = cfg['DEFAULT']['dev_requirements']
    assert all(p in dev for p in ('nbdev>=2.4.14,<3', 'fastcore<2', 'execnb<0.2'))
    assert 'torch==2.13.0' in (ROOT/'constraints.txt').read_text().split()
    assert '-c constraints.txt' in (ROOT/'scripts'/'setup.sh').read_text()
    assert 'jupyterlab>=4,<5' in dev.split()   # the set-up installs the learner's client; test_jupyterlab.py drives its 4.x UI
