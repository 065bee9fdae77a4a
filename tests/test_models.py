"The ladder's models: shapes, parity between them, state handling, clear errors, determinism."
import json, pytest, torch
from rnn_from_scratch.data import get_dls
from rnn_from_scratch.unrolled import RNN1
from rnn_from_scratch.loop import RNN2
from rnn_from_scratch.stateful import RNN3
from rnn_from_scratch.many_to_many import RNN4
from rnn_from_scratch.training import train_model, model_names, lm_learner, get_recipe, LastToken
from fastai.callback.rnn import ModelResetter

@pytest.fixture(scope='module')
def xb3(): return get_dls('words3_grouped').one_batch()[0]

@pytest.fixture(scope='module')
def xbs(): return get_dls('seq').one_batch()[0]

def test_registry():
    assert {'rnn1', 'rnn2', 'rnn3', 'rnn4', 'last_token', 'nn.rnn', 'nn.gru2', 'nn.lstm2'} <= set(model_names())
    assert (get_recipe('rnn4').epochs, get_recipe('rnn4').lr, get_recipe('rnn4').data) == (15, 3e-3, 'seq')
    with pytest.raises(ValueError, match='choose one of'): get_recipe('lstm9')

def test_shapes(xb3, xbs):
    for M in (RNN1, RNN2, RNN3): assert M(30, 64)(xb3).shape == (64, 30)
    assert RNN4(30, 64)(xbs).shape == (64, 16, 30)

def test_loop_equals_unrolled(xb3):
    m1, m2 = RNN1(30, 64), RNN2(30, 64)
    m2.load_state_dict(m1.state_dict())
    assert torch.equal(m1(xb3), m2(xb3))

def test_rnn4_last_step_is_rnn3(xb3):
    m3, m4 = RNN3(30, 64), RNN4(30, 64)
    m4.load_state_dict(m3.state_dict())
    torch.testing.assert_close(m4(xb3)[:, -1], m3(xb3))

@pytest.mark.parametrize('M,x', [(RNN3, 'xb3'), (RNN4, 'xbs')])
def test_state_carries_detaches_resets(M, x, request):
    x = request.getfixturevalue(x)
    m = M(30, 64)
    a = m(x); b = m(x)
    assert not torch.equal(a, b)
    assert m.h.shape == (64, 64) and m.h.grad_fn is None
    m.reset(); assert torch.equal(m(x), a)

@pytest.mark.parametrize('M,x', [(RNN3, 'xb3'), (RNN4, 'xbs')])
def test_batch_size_change_is_clear(M, x, request):
    x = request.getfixturevalue(x)
    m = M(30, 64); m(x)
    with pytest.raises(ValueError, match=r'call `reset\(\)`.*drop_last=True'): m(x[:10])

@pytest.mark.parametrize('M', [RNN1, RNN2, RNN3, RNN4])
def test_out_of_vocab_is_clear(M, xb3):
    with pytest.raises(ValueError, match='outside the vocab'): M(30, 64)(xb3 + 30)

def test_stateful_learner_resets():
    assert any(isinstance(cb, ModelResetter) for cb in lm_learner(get_dls('seq'), RNN4(30, 64)).cbs)
    assert not any(isinstance(cb, ModelResetter) for cb in lm_learner(get_dls('words3'), RNN1(30, 64)).cbs)

def test_same_seed_same_loss():
    a, b, c = (train_model('rnn4', epochs=1, seed=s)[1] for s in (3, 3, 4))
    assert a['valid_loss'] == b['valid_loss'] and a['accuracy'] == b['accuracy']
    assert a['valid_loss'] != c['valid_loss']

def test_rnn3_learns():
    r = train_model('rnn3', epochs=2)[1]
    assert r['accuracy'] > r['baseline_accuracy'] + 0.15

@pytest.mark.parametrize('kw,msg', [(dict(epochs=0), 'epochs'), (dict(lr=0.0), 'lr'), (dict(bs=0), 'bs')])
def test_train_model_bad_input(kw, msg):
    with pytest.raises(ValueError, match=msg): train_model('rnn1', **kw)

def test_model_order_does_not_depend_on_imports():
    import subprocess, sys
    code = 'import rnn_from_scratch.torch_rnns; from rnn_from_scratch.training import model_names; print(" ".join(model_names()))'
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ['last_token', 'rnn1', 'rnn2', 'rnn3', 'rnn4', 'nn.rnn', 'nn.rnn2', 'nn.gru2', 'nn.lstm2', 'scratch.lstm2', 'scratch.gru2', 'reg.lmmodel7', 'reg.gru2']

def test_model_names_upto_a_module():
    from rnn_from_scratch.training import model_names
    assert model_names(upto='stateful') == ['last_token', 'rnn1', 'rnn2', 'rnn3']
    assert model_names(upto='torch_rnns')[-2:] == ['nn.gru2', 'nn.lstm2'] and set(model_names(upto='torch_rnns')) < set(model_names())
    with pytest.raises(ValueError, match='use one of unrolled'): model_names(upto='nowhere')

class _NaNAfter(torch.nn.Module):
    "LastToken whose output turns NaN from the `k`-th forward pass on (as a run that diverges)"
    def __init__(self, vocab_sz, n_hidden, k=3):
        super().__init__(); self.m, self.k, self.n = LastToken(vocab_sz, n_hidden), k, 0
    def forward(self, x):
        self.n += 1
        return self.m(x) * (float('nan') if self.n >= self.k else 1.0)

def test_a_diverged_run_stops_with_a_clear_error():
    from rnn_from_scratch.training import Recipe, TrainingDiverged
    with pytest.raises(TrainingDiverged, match=r'the training loss became nan at epoch 1, batch 3: lower the learning rate'):
        train_model('nan', recipe=Recipe(_NaNAfter, 'words3', 2, 1e-3))
    big = lambda v, h: _NaNAfter(v, h, k=10**9)   # never NaN: the same path trains normally
    assert train_model('fine', recipe=Recipe(big, 'words3', 1, 1e-3))[1]['valid_loss'] > 0

def test_a_kept_run_is_the_trained_run(tmp_path, monkeypatch):
    "With RNNFS_TRAIN_CACHE (scripts/test.sh sets it for nbdev_test), a second train_model of the same run hands back the first"
    monkeypatch.setenv('RNNFS_TRAIN_CACHE', str(tmp_path/'kept'))
    l1, r1 = train_model('rnn4', epochs=1, seed=5); after1 = torch.rand(3)
    l2, r2 = train_model('rnn4', epochs=1, seed=5); after2 = torch.rand(3)
    assert len(list((tmp_path/'kept').glob('*.pt'))) == 1 and r1 == r2
    assert [json.loads(p.read_text()) for p in (tmp_path/'kept').glob('*.json')] == [r1]   # readable without torch
    assert torch.equal(after1, after2)   # the random generators are left as training left them
    assert all(torch.equal(a, b) for a, b in zip(l1.model.state_dict().values(), l2.model.state_dict().values()))
    assert list(l1.recorder.values) == list(l2.recorder.values) and l1.model.training == l2.model.training
    assert l1.epoch_timer.times == l2.epoch_timer.times
    train_model('rnn4', epochs=1, seed=6)
    assert len(list((tmp_path/'kept').glob('*.pt'))) == 2   # another seed is another run
    train_model('last_token', seed=6); train_model('last_token', seed=6, epochs=get_recipe('last_token').epochs)
    assert len(list((tmp_path/'kept').glob('*.pt'))) == 3   # the recipe's epochs, named or not, are one run
    monkeypatch.delenv('RNNFS_TRAIN_CACHE')
    _, r3 = train_model('rnn4', epochs=1, seed=5)   # trained again, nothing kept: the same numbers
    assert (r3['accuracy'], r3['valid_loss']) == (r1['accuracy'], r1['valid_loss'])

def test_a_run_being_trained_is_waited_for_not_trained_twice(tmp_path, monkeypatch):
    "Two notebooks that nbdev_test runs side by side and need the same run: the second waits for the first's, then loads it"
    import threading
    from rnn_from_scratch.training import kept_run, run_lock
    monkeypatch.setenv('RNNFS_TRAIN_CACHE', str(tmp_path/'kept'))
    r = get_recipe('last_token')
    path, got = kept_run('last_token', 7, 1, r.lr, 64, r.n_hidden, 1), []
    from rnn_from_scratch.training import save_run
    with run_lock(path):   # as if another process were training this very run
        t = threading.Thread(target=lambda: got.append(train_model('last_token', epochs=1, seed=7)[1]))
        t.start(); t.join(1.0)
        assert t.is_alive() and not path.exists()   # waiting, not training a second copy
        learn, res = train_model('last_token', epochs=1, seed=7, recipe=get_recipe('last_token'))   # a recipe: never kept
        save_run(path, learn, dict(res, trained_by='the other process'))
    t.join(120)
    assert not t.is_alive() and got[0]['trained_by'] == 'the other process'   # loaded the run, did not train its own
    with run_lock(None): pass   # no cache folder: no lock, nothing written
    assert sorted(p.suffix for p in path.parent.iterdir()) == ['.json', '.lock', '.pt']

def test_check_forward_passes_the_model_and_fails_typical_slips(capsys):
    "The exercises' self-check (01_unrolled): the model's own forward passes; a slip gets a hint"
    import torch.nn.functional as F
    from rnn_from_scratch.unrolled import RNN1, check_forward
    from rnn_from_scratch.stateful import RNN3
    check_forward(lambda m, x: RNN1.forward(m, x)); assert 'pass' in capsys.readouterr().out
    check_forward(lambda m, x: RNN3.forward(m, x), RNN3(30, 8)); assert 'pass' in capsys.readouterr().out
    def steps(m, x):
        for i in range(3): m.h = F.relu(m.h_h(m.h + m.i_h(x[:, i])))
    def no_detach(m, x): steps(m, x); return m.h_o(m.h)
    def detach_first(m, x): steps(m, x); m.h = m.h.detach(); return m.h_o(m.h)
    def detached_output(m, x): return RNN3.forward(m, x).detach()
    with pytest.raises(AssertionError, match='detach it'): check_forward(no_detach, RNN3(30, 8))
    with pytest.raises(AssertionError, match='gradients of i_h.weight, h_h.weight, h_h.bias differ'):
        check_forward(detach_first, RNN3(30, 8))
    with pytest.raises(AssertionError, match='carries no gradient'): check_forward(detached_output, RNN3(30, 8))
    with pytest.raises(AssertionError, match='differs from the model'):
        check_forward(lambda m, x: m.h_o(F.relu(m.h_h(m.i_h(x[:, -1])))))
