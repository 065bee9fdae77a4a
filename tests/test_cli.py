"""The `rnnfs` console script. What runs or trains is run as a user runs it, in a fresh process (`rnnfs`); input refused
before any training is checked by calling the same `main` in this process (`rnnfs_here`), which gives the same exit code
and message without paying for a fresh interpreter's imports each time; one such refusal runs in a fresh process too."""
import contextlib, io, os, re, json, signal, subprocess, time
from pathlib import Path
import pytest
from conftest import BIN, descendants, wait_gone
from rnn_from_scratch.cli import main

def rnnfs(*args, cwd=None):
    return subprocess.run([str(BIN/'rnnfs'), *args], capture_output=True, text=True, cwd=cwd, timeout=300)

def rnnfs_here(*args, cwd=None):
    "`rnnfs ARGS` through `main` in this process: the exit code and what it printed, like `subprocess.run`'s result"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), contextlib.chdir(cwd or os.getcwd()):
        try: code = main(list(args))
        except SystemExit as e: code = e.code
    return subprocess.CompletedProcess(['rnnfs', *args], code, out.getvalue(), err.getvalue())

@pytest.mark.parametrize('run', [rnnfs, rnnfs_here], ids=['fresh-process', 'in-process'])
def test_unknown_model_lists_the_valid_ones(run):
    r = run('train', 'gpt5')
    assert r.returncode == 2
    assert "invalid choice: 'gpt5'" in r.stderr and all(m in r.stderr for m in ('rnn1', 'rnn2', 'rnn3', 'rnn4'))

@pytest.mark.parametrize('args,msg', [(('--epochs', '0'), 'epochs must be a positive whole number'),
                                      (('--epochs', 'two'), "invalid int value: 'two'"), (('--lr', '-1'), 'lr must be a positive finite number'),
                                      (('--lr', 'nan'), 'lr must be a positive finite number, got nan'), (('--lr', 'inf'), 'got inf')])
def test_bad_numbers(args, msg):
    r = rnnfs_here('train', 'rnn1', *args)
    assert r.returncode == 2 and msg in r.stderr and 'epoch' not in r.stdout

@pytest.mark.parametrize('path,msg', [('/nonexistent/r.json', 'does not exist'), ('/proc/r.json', 'cannot write'), ('/tmp', 'is a folder')])
def test_unwritable_json_fails_before_training(path, msg):
    r = rnnfs_here('train', 'rnn4', '--json', path)
    assert r.returncode == 2 and msg in r.stderr and 'epoch' not in r.stdout

def test_train_takes_size_batch_and_threads(tmp_path):
    fn = tmp_path/'r.json'
    r = rnnfs_here('train', 'rnn4', '--epochs', '1', '--n-hidden', '16', '--bs', '32', '--threads', '1', '--json', str(fn))
    assert r.returncode == 0, r.stderr
    assert json.loads(fn.read_text())['params'] == 30*16 + 16*16 + 16 + 16*30 + 30   # embedding, h_h, h_o at 16 hidden units

@pytest.mark.parametrize('opt,name', [('--n-hidden', 'n_hidden'), ('--bs', 'bs'), ('--threads', 'threads')])
def test_train_bad_sizes_fail_before_training(opt, name):
    r = rnnfs_here('train', 'rnn4', opt, '0')
    assert r.returncode == 2 and f'{name} must be a positive whole number, got 0' in r.stderr and 'epoch' not in r.stdout

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
    r = rnnfs_here('train', '--help')
    assert r.returncode == 0 and '--json PATH' in r.stdout

def test_compare_writes_three_files(tmp_path):
    out = tmp_path/'res'
    r = rnnfs('compare', '--models', 'rnn1', 'rnn4', '--seeds', '2', '--epochs', '1', '--out', str(out), '--jobs', '2')
    assert r.returncode == 0, r.stderr
    assert re.search(r'^\[4/4\] (rnn1|rnn4) seed [01]: accuracy', r.stdout, re.M), r.stdout   # progress as runs finish
    assert re.search(r'^\| model +\| +parameters \|', r.stdout, re.M), r.stdout
    assert sorted(p.name for p in out.iterdir()) == ['comparison.png', 'results.csv', 'results.json']
    rows = json.loads((out/'results.json').read_text())
    assert [o['model'] for o in rows] == ['rnn1', 'rnn4', "always '.'"]
    assert all(k in rows[0] for k in ('model', 'accuracy_mean', 'accuracy_std', 'valid_loss_mean', 'params', 'seconds_per_epoch', 'tokens_per_s'))
    assert rows[0]['accuracy_std'] > 0 and rows[1]['params'] == 8_030
    assert (out/'comparison.png').read_bytes()[:4] == b'\x89PNG'
    # one process (this one), one run after the other: the same accuracies and losses, to the last bit
    r1 = rnnfs_here('compare', '--models', 'rnn1', 'rnn4', '--seeds', '2', '--epochs', '1', '--out', str(tmp_path/'serial'), '--jobs', '1')
    assert r1.returncode == 0, r1.stderr
    serial = json.loads((tmp_path/'serial'/'results.json').read_text())
    same = ('model', 'params', 'accuracy_mean', 'accuracy_std', 'valid_loss_mean', 'valid_loss_std', 'perplexity')
    assert [{k: o[k] for k in same} for o in serial] == [{k: o[k] for k in same} for o in rows]

@pytest.mark.parametrize('jobs', ['1', '2'])
def test_ctrl_c_stops_compare_cleanly(tmp_path, jobs):
    "Ctrl-C (SIGINT to the whole process group, as a terminal sends it): one line, exit 130, no result file, no worker left"
    out = tmp_path/'res'
    # 40 one-epoch runs: the first finishes soon, and Ctrl-C comes while dozens are still to train
    p = subprocess.Popen([str(BIN/'rnnfs'), 'compare', '--models', 'rnn1', 'rnn4', '--seeds', '20', '--epochs', '1', '--out', str(out),
                          '--jobs', jobs],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))   # as from a terminal, even if this run ignores Ctrl-C
    first = p.stdout.readline()   # the first run has finished: training is under way
    assert first.startswith('[1/40]'), first + p.stderr.read()
    time.sleep(0.5)
    kids = descendants(p.pid)
    assert (len(kids) >= 2) == (jobs == '2'), kids   # two workers (and multiprocessing's resource tracker), or none
    os.killpg(p.pid, signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130 and err.strip().splitlines() == [err.strip()], err
    assert err.startswith('rnnfs compare: interrupted') and 'Traceback' not in err
    assert list(out.iterdir()) == []
    assert wait_gone(kids, 5) == []

@pytest.mark.parametrize('args,msg', [(('--seeds', '0'), 'seeds must be a positive'), (('--epochs', '0'), 'epochs must be a positive'),
                                      (('--models', 'rnn1', 'gpt5'), "invalid choice: 'gpt5'"), (('--out', '/proc/rnnfs'), 'cannot create folder'),
                                      (('--jobs', '0'), 'jobs must be a positive')])
def test_compare_bad_input(args, msg, tmp_path):
    r = rnnfs_here('compare', *args, cwd=tmp_path)
    assert r.returncode == 2 and msg in r.stderr
    assert list(tmp_path.iterdir()) == [] or args[0] == '--out'   # nothing written when the input is refused

def test_bench_quick_json(tmp_path):
    fn = tmp_path/'b.json'
    r = rnnfs_here('bench', '--quick', '--json', str(fn))
    assert r.returncode == 0, r.stderr
    rows = json.loads(fn.read_text())
    fb = {o['model']: o for o in rows if o['kind'] == 'fwd_bwd'}
    assert set(fb) == {'rnn4', 'rnn4_fast', 'nn.RNN', 'nn.GRU', 'nn.LSTM'}
    assert fb['nn.RNN']['ratio_to_nn_rnn'] == 1 and all(o['size'] == 'book' and o['tokens_per_s'] > 0 for o in fb.values())
    ep = [o for o in rows if o['kind'] == 'epoch']
    assert len(ep) == 10 and all(0 < o['epoch_ratio'] for o in ep)
    assert all('ratio_to_nn_rnn' in o and 'size' in o for o in rows) and all('epoch_ratio' in o for o in fb.values())
    gates = {o['model']: o for o in rows if o['kind'] == 'gates'}   # 12_gates: the scratch cells beside their PyTorch twins
    assert set(gates) == {'nn.RNN', 'nn.GRU', 'scratch.GRU', 'nn.LSTM', 'scratch.LSTM'}
    assert gates['nn.LSTM']['ratio_to_twin'] == 1 and all(0 < o['fraction_of_peak'] and o['tokens_per_s'] > 0 for o in gates.values())
    assert 'scratch.LSTM' in r.stdout and 'of the matmul peak' in r.stdout

def test_generate_continues_the_prompt():
    # five epochs instead of the recipe's fifteen: enough for this continuation, which the test is about
    r = rnnfs('generate', 'one hundred three . one hundred four .', '--model', 'nn.gru2', '-n', '8', '--greedy', '--stop', '.', '--epochs', '5')
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == 'one hundred three . one hundred four . one hundred five' and 'nn.gru2 (token accuracy' in r.stderr
    # twice in this process: the same seed, the same continuation (train's test checks two fresh processes)
    a, b = (rnnfs_here('generate', 'two . three .', '--model', 'rnn4', '-n', '6', '--seed', '3', '--epochs', '2').stdout for _ in range(2))
    assert a == b and a.startswith('two . three .')

@pytest.mark.parametrize('args,msg', [(('one . tow .',), "did you mean 'two'"), (('one .', '--temperature', '-1'), 'above 0'),
                                      (('one .', '--stop', 'end'), "unknown token 'end'"), (('one .', '--model', 'rnn2'), 'RNN2 reads 3 tokens at a time'),
                                      (('one .', '--epochs', '0'), 'epochs must be'), (('one .', '--temperature', 'inf'), 'finite number')])
def test_generate_bad_input_fails_before_training(args, msg):
    r = rnnfs_here('generate', *args)
    assert r.returncode == 2 and msg in r.stderr and 'token accuracy' not in r.stderr

def test_count_prints_the_table_and_writes_json(tmp_path):
    fn = tmp_path/'count.json'
    r = rnnfs('count', '--models', 'rnn4', 'tanh_by_hand', '--seeds', '1', '--epochs', '2', '--json', str(fn), '--jobs', '2')
    assert r.returncode == 0, r.stderr
    assert 'rnn4 seed 0: token accuracy' in r.stdout and re.search(r'\| tanh_by_hand +\| +1 \|', r.stdout), r.stdout
    rows = json.loads(fn.read_text())
    assert [o['model'] for o in rows] == ['rnn4', 'tanh_by_hand']
    assert all(0 <= o['counting_valid'] <= o['token_accuracy'] for o in rows)
    # copy, carry and within apart: one validation target (9000) carries into a new thousand, none copies in training
    assert 'copy, validation' in r.stdout and 'carry_thousand, training' in r.stdout, r.stdout
    assert all(o['carry_thousand_valid'] in (0, 1) and 'copy_train' not in o and 0 <= o['copy_valid'] <= 1 for o in rows)

@pytest.mark.parametrize('args,msg', [(('-k', '0'), 'k must be'), (('--json', '/nonexistent/c.json'), 'does not exist'),
                                      (('--epochs', '0'), 'epochs must be'), (('--jobs', '0'), 'jobs must be')])
def test_count_bad_input(args, msg):
    r = rnnfs_here('count', *args)
    assert r.returncode == 2 and msg in r.stderr and 'seed 0' not in r.stdout

def test_diverged_training_is_an_error_not_a_table():
    r = rnnfs_here('train', 'last_token', '--epochs', '1', '--lr', '1e12')
    assert r.returncode == 2 and 'last_token: accuracy' not in r.stdout   # no summary line: nothing is reported
    assert r.stderr.strip() == ('rnnfs train: error: the training loss became nan at epoch 1, batch 3: '
                                'lower the learning rate (lr) or clip the gradients'), r.stderr

def test_translate_trains_and_translates():
    from rnn_from_scratch.seq2seq import s2s_vocabs
    r = rnnfs_here('translate', '8102', '--epochs', '1', '--attention', 'dot', '--beam', '2')
    assert r.returncode == 0, r.stderr
    assert 'digits2words, dot attention, seed 0, 1 epochs' in r.stderr
    assert r.stdout.strip() and set(r.stdout.split()) <= set(s2s_vocabs()['words'][3:])   # number words only

@pytest.mark.parametrize('args,msg', [(('0812',), 'no leading zero'), (('nine thousnd',), "did you mean 'thousand'"),
                                      (('12', '--attention', 'luong'), "invalid choice: 'luong'"), (('12', '--epochs', '0'), 'epochs must be'),
                                      (('12', '--beam', '-1'), 'beam must be'), (('twelve thousand',), 'from 1 to 9999')])
def test_translate_bad_input_fails_before_training(args, msg):
    r = rnnfs_here('translate', *args)
    assert r.returncode == 2 and msg in r.stderr and 'token accuracy' not in r.stderr
