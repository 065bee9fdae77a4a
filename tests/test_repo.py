"Facts about the repository that keep the two README commands honest."
import re, socket, subprocess, sys, time
import pytest
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

def _torch_index():
    import importlib.util
    spec = importlib.util.spec_from_file_location('torch_index', ROOT/'scripts'/'torch_index.py')
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    return m

@pytest.mark.parametrize('env,system,gpu,reach,url', [
    ({}, 'Linux', False, True, 'cpu'),                 # a stock Linux machine without a GPU: PyTorch's CPU index
    ({}, 'Linux', False, False, ''),                   # here: that index cannot be reached, so pip's configured one
    ({}, 'Linux', True, True, ''),                     # an NVIDIA GPU: the CUDA build from the usual index
    ({}, 'Darwin', False, True, ''),                   # macOS: its build has no CUDA
    ({'TORCH_INDEX_URL': 'https://example.org/simple'}, 'Linux', True, True, 'https://example.org/simple'),
    ({'TORCH_INDEX_URL': ''}, 'Linux', False, True, ''),   # set but empty: pip's configured index
])
def test_torch_index_choice(env, system, gpu, reach, url):
    m = _torch_index()
    got, why = m.choose(env, system, gpu, lambda u: reach)
    assert got == (m.CPU_INDEX if url == 'cpu' else url) and why

def test_torch_index_falls_back_within_seconds():
    "An index that does not answer costs at most the probe's timeout, then pip's configured index is used"
    m = _torch_index()
    with socket.socket() as silent:   # a server on loopback that takes the connection and never answers
        silent.bind(('127.0.0.1', 0)); silent.listen(1)
        t = time.perf_counter()
        assert m.reachable(f'http://127.0.0.1:{silent.getsockname()[1]}/simple', timeout=1) is False
        assert time.perf_counter() - t < 3
    assert m.reachable('http://127.0.0.1:9') is False   # refused at once
    r = subprocess.run([sys.executable, str(ROOT/'scripts'/'torch_index.py')], capture_output=True, text=True, timeout=30,
                       env={'PATH': '/usr/bin:/bin', 'TORCH_INDEX_URL': 'http://127.0.0.1:9/simple'})
    assert r.stdout.strip() == 'http://127.0.0.1:9/simple' and 'TORCH_INDEX_URL is set' in r.stderr

def test_fastai_is_new_enough_for_ar_tar():
    "fastai before 2.8.4 drops TextLearner's alpha and beta (fastai issue #3605): the requirements exclude it"
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini')
    assert 'fastai>=2.8.4,<2.9' in cfg['DEFAULT']['requirements'].split()
    import fastai
    assert tuple(int(p) for p in fastai.__version__.split('.')[:3]) >= (2, 8, 4)

def test_machine_speed_reads_the_book_rnn4_run(tmp_path):
    "scripts/test.sh's last line: rnn4's s/epoch from the kept runs (not another seed or length), and the time scaled by it"
    import json
    runs = [dict(model='rnn4', seed=0, epochs=15, seconds_per_epoch=9.0), dict(model='rnn4', seed=42, epochs=1, seconds_per_epoch=9.0),
            dict(model='nn.gru2', seed=42, epochs=15, seconds_per_epoch=9.0), dict(model='rnn4', seed=42, epochs=15, seconds_per_epoch=0.54)]
    for i, r in enumerate(runs): (tmp_path/f'{i}.json').write_text(json.dumps(r))
    out = subprocess.run([sys.executable, str(ROOT/'tools'/'machine_speed.py'), str(tmp_path), '600'], capture_output=True, text=True, check=True).stdout
    assert 'rnn4 at 0.54 s/epoch' in out and 'these 600 s would be about 300 s' in out, out
    (tmp_path/'3.json').unlink()
    out = subprocess.run([sys.executable, str(ROOT/'tools'/'machine_speed.py'), str(tmp_path), '600'], capture_output=True, text=True, check=True).stdout
    assert 'no kept run of rnn4' in out, out
