"The library models: parity with RNN4, state shapes and handling, registry recipes."
import pytest, torch
from rnn_from_scratch.data import get_dls
from rnn_from_scratch.many_to_many import RNN4
from rnn_from_scratch.torch_rnns import TorchRNN, from_rnn4
from rnn_from_scratch.training import get_recipe

@pytest.fixture(scope='module')
def batches(): return list(get_dls('seq').train)[:3]

def test_relu_rnn_equals_rnn4(batches):
    m4 = RNN4(30, 64); m = from_rnn4(m4)
    for x, _ in batches: torch.testing.assert_close(m(x), m4(x), atol=1e-5, rtol=1e-5)

def test_parity_fails_with_other_weights(batches):
    x = batches[0][0]
    assert not torch.allclose(TorchRNN(30, 64)(x), RNN4(30, 64)(x), atol=1e-3)

@pytest.mark.parametrize('cell,n_layers', [('rnn', 1), ('rnn', 2), ('gru', 2), ('lstm', 2)])
def test_state(cell, n_layers, batches):
    x = batches[0][0]
    m = TorchRNN(30, 64, cell, n_layers)
    a = m(x)
    assert a.shape == (64, 16, 30)
    hs = m.h if cell == 'lstm' else (m.h,)
    assert all(h.shape == (n_layers, 64, 64) and h.grad_fn is None for h in hs)
    assert not torch.equal(m(x), a)          # state carried over
    m.reset(); assert m.h is None and torch.equal(m(x), a)
    with pytest.raises(ValueError, match=r'call `reset\(\)`'): m(x[:5])

def test_recipes():
    for name, lr, wd in (('nn.rnn', 3e-3, None), ('nn.rnn2', 3e-3, None), ('nn.gru2', 3e-2, 0.1), ('nn.lstm2', 3e-2, 0.1)):
        r = get_recipe(name)
        assert (r.data, r.epochs, r.lr, r.wd) == ('seq', 15, lr, wd)
        assert isinstance(r.model(30, 64), TorchRNN)
    with pytest.raises(ValueError, match='use one of rnn, gru, lstm'): TorchRNN(30, 64, 'gpt')
