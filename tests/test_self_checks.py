"The exercises' self-checks of 00a_training, 05_torch_rnns and 08_varlen: a right answer passes, the typical slips fail with their hint."
import pytest, torch, torch.nn.functional as F
from rnn_from_scratch.training import check_lm_loss
from rnn_from_scratch.torch_rnns import check_from_rnn4, from_rnn4, TorchRNN
from rnn_from_scratch.varlen import check_last_hidden

def test_lm_loss_check(capsys):
    check_lm_loss(lambda i, t: F.cross_entropy(i.reshape(-1, i.shape[-1]), t.reshape(-1)))
    assert 'pass' in capsys.readouterr().out

@pytest.mark.parametrize('wrong,hint', [
    (lambda i, t: F.cross_entropy(i, t), 'flatten the positions'),                                      # (bs, sl, V) as it is
    (lambda i, t: F.cross_entropy(i.reshape(-1, 30), t.reshape(-1), reduction='sum'), 'summed'),
    (lambda i, t: F.nll_loss(i.reshape(-1, 30), t.reshape(-1)), 'log_softmax'),                          # no log_softmax
    (lambda i, t: F.cross_entropy(i.reshape(-1, 30), t.reshape(-1), reduction='none'), 'one number')])
def test_lm_loss_check_catches_slips(wrong, hint):
    with pytest.raises(AssertionError, match=hint): check_lm_loss(wrong)

def _bias_in_hh(m4):
    m = from_rnn4(m4)
    with torch.no_grad(): m.rnn.bias_hh_l0.copy_(m4.h_h.bias); m.rnn.bias_ih_l0.zero_()
    return m

def test_from_rnn4_check(capsys):
    check_from_rnn4(_bias_in_hh); check_from_rnn4(from_rnn4)
    assert capsys.readouterr().out.count('pass') == 2

def _doubled(m4):
    m = from_rnn4(m4)
    with torch.no_grad(): m.rnn.bias_hh_l0.copy_(m4.h_h.bias)
    return m

def _fresh_embedding(m4):
    m = from_rnn4(m4)
    with torch.no_grad(): m.i_h.weight.normal_()
    return m

def _only_hh(m4):
    m = from_rnn4(m4)
    with torch.no_grad(): m.rnn.weight_ih_l0.normal_()
    return m

@pytest.mark.parametrize('wrong,hint', [(_doubled, 'added twice'), (_fresh_embedding, 'copy the embedding'), (_only_hh, 'one matrix'),
                                        (lambda m4: TorchRNN(30, 64, 'rnn', 1, 'tanh'), 'ReLU'), (lambda m4: m4, 'return a TorchRNN')])
def test_from_rnn4_check_catches_slips(wrong, hint):
    with pytest.raises(AssertionError, match=hint): check_from_rnn4(wrong)

def test_last_hidden_check(capsys):
    check_last_hidden(lambda o, n: o[torch.arange(len(o)), n - 1]); assert 'pass' in capsys.readouterr().out

@pytest.mark.parametrize('wrong,hint', [(lambda o, n: o[:, -1], 'padded batch'), (lambda o, n: o[torch.arange(len(o)), n], 'lengths - 1'),
                                        (lambda o, n: o[torch.arange(len(o)), (n - 2).clamp(min=0)], 'steps count from 0'),
                                        (lambda o, n: o[0], 'one vector per sequence')])
def test_last_hidden_check_catches_slips(wrong, hint):
    with pytest.raises(AssertionError, match=hint): check_last_hidden(wrong)
