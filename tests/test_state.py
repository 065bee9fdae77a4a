"What the state learned (14_state), as a user imports it: n-gram back-off, token roles, the layers and gates read from a model, probes, and bad input."
import pytest, torch
from torch import nn
from rnn_from_scratch.state import (NGram, ngram_guesses, accuracy, word_roles, token_facts, stream_parts, layers_of, run_layer,
                                    read_states, probe_labels, fit_probe, probe_score, probe_layer, forced_carries, check_word_roles,
                                    model_guesses, ROLES)
from rnn_from_scratch.training import make_learner
from rnn_from_scratch.data import num2words

def test_ngram_backs_off_to_the_longest_context_it_saw():
    t = NGram([0, 1, 2, 0, 1, 3, 0, 1, 2, 4, 1, 3], n=3)
    assert t.guess((0, 1)) == 2          # (0, 1) -> 2 twice, 3 once
    assert t.guess((4, 1)) == 3          # (4, 1) -> 3: the longest context wins over (1,) -> 2 or 3
    assert t.guess((7, 1)) == 2          # (7, 1) unseen: (1,) -> 2 twice, 3 twice; the first counted wins
    assert t.guess((4, 1), n=2) in (2, 3) and t.guess((4, 1), n=1) == 1   # n=1: no context, the commonest token
    # stupid back-off: with a weight above 1, shorter contexts outvote longer ones, down to the commonest token
    assert t.guess((4, 1), backoff=0.4) == 3 and t.guess((4, 1), backoff=3.0) == 1

def test_ngram_memorises_the_training_text_and_fails_on_the_validation_text():
    ids, cut, end = stream_parts()
    t = NGram(ids[:cut], n=8)
    assert accuracy(ngram_guesses(t, ids, 1, cut, 8), ids, 1) > 0.9
    assert accuracy(ngram_guesses(t, ids, cut + 1, end, 8), ids, cut + 1) < 0.5

@pytest.mark.parametrize('bad', [0, -1, 2.5])
def test_ngram_bad_n(bad):
    with pytest.raises(ValueError, match='n must be'): NGram([0, 1], n=bad)
    with pytest.raises(ValueError, match='n must be from 1 to 3'): NGram([0, 1], n=3).guess((0,), n=4)

def test_roles_and_facts_follow_the_stream():
    assert word_roles('nine thousand nine hundred ninety nine'.split()) == [
        'thousands word', 'thousand', 'hundreds word', 'hundred', 'tens', 'units']
    ids, cut, end = stream_parts(); f = token_facts()
    assert len(f) == len(ids) and set(f.role) == set(ROLES)
    assert f.n.iloc[-1] == 9999 and (f.thousands == f.n // 1000).all()

def _reference(words):
    "word_roles written another way"
    out = []
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ''
        out.append(w if w in ('thousand', 'hundred') else f'{nxt}s word' if nxt in ('thousand', 'hundred')
                   else 'tens' if w.endswith('ty') else 'units')
    return out

def test_check_word_roles_passes_a_right_answer(capsys):
    check_word_roles(_reference); assert 'pass' in capsys.readouterr().out

@pytest.mark.parametrize('wrong,hint', [
    (lambda ws: ['tens' if w.endswith('teen') else r for w, r in zip(ws, word_roles(ws))], "call it 'units'"),   # teens as tens
    (lambda ws: ['units' if r == 'thousands word' else r for r, w in zip(word_roles(ws), ws)], "'thousands word'"),
    (lambda ws: word_roles(ws)[:-1], 'one per word'),
    (lambda ws: ['hundreds word' if w == 'hundred' else r for w, r in zip(ws, word_roles(ws))], 'roles of their own')])
def test_check_word_roles_fails_typical_slips(wrong, hint):
    with pytest.raises(AssertionError, match=hint): check_word_roles(wrong)

@pytest.mark.parametrize('kind', [nn.GRU, nn.LSTM])
def test_run_layer_rebuilds_pytorchs_layer(kind):
    torch.manual_seed(0)
    layer, x = kind(5, 7, batch_first=True), torch.randn(40, 5)
    r = run_layer(layer, x)
    out, hn = layer(x[None])
    assert torch.allclose(r['h'], out[0], atol=1e-6) and r['gap'] < 1e-5
    if kind is nn.LSTM:   # the cell state rebuilt step by step ends where PyTorch's does
        assert torch.allclose(r['c'][-1], hn[1][0, 0], atol=1e-5)
        assert set(r['gates']) == {'input', 'forget', 'output'}
    else: assert set(r['gates']) == {'reset', 'update'}
    assert all(((g >= 0) & (g <= 1)).all() for g in r['gates'].values())

def test_run_layer_stops_when_the_gates_do_not_rebuild_h():
    class Swapped(nn.GRU):   # returns a state that its weights do not give
        def forward(self, x, h=None): out, h = super().forward(x, h); return out.flip(1), h
    torch.manual_seed(0)
    with pytest.raises(RuntimeError, match='do not rebuild'): run_layer(Swapped(3, 4, batch_first=True), torch.randn(9, 3))

@pytest.mark.parametrize('name', ['nn.lstm2', 'nn.gru2', 'reg.gru2', 'reg.lmmodel7'])
def test_states_read_layer_by_layer_give_the_models_own_guesses(name):
    m = make_learner(name, seed=1).model   # random weights are enough: the layers must be split right
    ids, cut, end = stream_parts()
    ids = ids[:300]
    states = read_states(m, ids)
    with torch.no_grad(): mine = m.h_o(states[-1]['h'][:-1]).argmax(1).tolist()
    assert mine == model_guesses(m, ids, 1, len(ids))
    assert len(layers_of(m)) == 2

def test_layers_of_refuses_models_without_gated_layers():
    with pytest.raises(ValueError, match='probes read the GRU and LSTM'): layers_of(make_learner('rnn4').model)
    with pytest.raises(ValueError, match='probes read the GRU and LSTM'): layers_of(make_learner('nn.rnn').model)

def test_probe_reads_a_linear_fact_and_not_noise():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(400, 6, generator=g); y = (X[:, 1] - X[:, 4] > 0).long()
    assert probe_score(fit_probe(X[:300], y[:300], 2), X[300:], y[300:]) > 0.95
    noise = torch.randint(0, 2, (400,), generator=g)
    assert probe_score(fit_probe(X[:300], noise[:300], 2), X[300:], noise[300:]) < 0.7

@pytest.mark.parametrize('args,msg', [(('nn.lstm3', 1, 'role'), 'unknown model'), (('nn.lstm2', 3, 'role'), 'from 1 to 2'),
                                      (('nn.lstm2', 0, 'role'), 'from 1 to 2'), (('nn.lstm2', 1, 'tens'), 'unknown probe target'),
                                      (('rnn4', 1, 'role'), 'probes read the GRU and LSTM')])
def test_probe_layer_bad_input_fails_before_training(args, msg):
    with pytest.raises(ValueError, match=msg): probe_layer(*args)

def test_forced_carries_bad_k():
    with pytest.raises(ValueError, match='k must be'): forced_carries(None, ks=(0,))

def test_layers_of_reads_models_by_what_they_hold():
    "A notebook that re-runs a model's cell makes a new class; nbdev_test runs notebooks one after another in one process"
    class Twin(nn.Module):   # not the package's TorchRNN, but built like it
        def __init__(self): super().__init__(); self.i_h, self.rnn = nn.Embedding(30, 8), nn.LSTM(8, 8, 2, batch_first=True)
    layers = layers_of(Twin())
    assert [type(l) for l in layers] == [nn.LSTM, nn.LSTM]
    class RegTwin(nn.Module):
        def __init__(self): super().__init__(); self.rnns = nn.ModuleList([nn.GRU(8, 8, batch_first=True), nn.GRU(8, 8, batch_first=True)])
    assert len(layers_of(RegTwin())) == 2
    class Plain(nn.Module):
        def __init__(self): super().__init__(); self.rnns = nn.ModuleList([nn.RNN(8, 8)])
    with pytest.raises(ValueError, match='probes read the GRU and LSTM'): layers_of(Plain())
