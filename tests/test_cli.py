"The `rnnfs` console script, run as a user runs it: in a fresh process."
import json, subprocess
import pytest
from conftest import BIN

def rnnfs(*args, cwd=None):
    return subprocess.run([str(BIN/'rnnfs'), *args], capture_output=True, text=True, cwd=cwd, timeout=300)

def test_unknown_model_lists_the_valid_ones():
    r = rnnfs('train', 'gpt5')
    assert r.returncode == 2
    assert "invalid choice: 'gpt5'" in r.stderr and all(m in r.stderr for m in ('rnn1', 'rnn2', 'rnn3', 'rnn4'))

@pytest.mark.parametrize('args,msg', [(('--epochs', '0'), 'epochs must be a positive whole number'),
                                      (('--epochs', 'two'), "invalid int value: 'two'"), (('--lr', '-1'), 'lr must be a positive number')])
def test_bad_numbers(args, msg):
    r = rnnfs('train', 'rnn1', *args)
    assert r.returncode == 2 and msg in r.stderr and 'epoch' not in r.stdout

@pytest.mark.parametrize('path,msg', [('/nonexistent/r.json', 'does not exist'), ('/proc/r.json', 'cannot write'), ('/tmp', 'is a folder')])
def test_unwritable_json_fails_before_training(path, msg):
    r = rnnfs('train', 'rnn4', '--json', path)
    assert r.returncode == 2 and msg in r.stderr and 'epoch' not in r.stdout

def test_train_writes_json_deterministically(tmp_path):
    runs = []
    for i in range(2):
        fn = tmp_path/f'r{i}.json'
        r = rnnfs('train', 'rnn4', '--epochs', '1', '--seed', '7', '--json', str(fn))
        assert r.returncode == 0, r.stderr
        assert 'rnn4: accuracy' in r.stdout and 'train_loss' in r.stdout   # summary and fastai's epoch table
        runs.append(json.loads(fn.read_text()))
    assert {'model', 'valid_loss', 'accuracy', 'seconds_per_epoch'} <= set(runs[0])
    assert runs[0]['model'] == 'rnn4' and runs[0]['epochs'] == 1
    assert runs[0]['valid_loss'] == runs[1]['valid_loss']
    assert sorted(p.name for p in tmp_path.iterdir()) == ['r0.json', 'r1.json']

def test_version_and_help():
    assert rnnfs('--version').stdout.startswith('rnnfs ')
    r = rnnfs('train', '--help')
    assert r.returncode == 0 and '--json PATH' in r.stdout
