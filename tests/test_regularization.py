"Regularization: the hand-written pieces against fastai's, AR/TAR reaching the loss and the gradients, weight tying, bad probabilities, the registered recipes."
import copy, pytest, torch
from torch import nn
from fastai.basics import Callback, Module, CancelFitException, set_seed
from fastai.callback.rnn import RNNCallback, RNNRegularizer
from fastai.text.learner import TextLearner
from fastai.text.models import awdlstm
from rnn_from_scratch.data import get_dls
from rnn_from_scratch.training import lm_learner, fit, get_recipe, model_names, make_learner
from rnn_from_scratch.counting import count
from rnn_from_scratch.generate import generate
from rnn_from_scratch.cli import parser
from rnn_from_scratch.regularization import (check_p, Dropout, SeqDropout, EmbedDropout, WeightDrop, ar_penalty, tar_penalty, ARTAR,
                                             tie_weights, RegLM, vary)

def same_seed(f, g, *args, seed=0):
    "`f(*args)` and `g(*args)`, each right after seeding torch with `seed`"
    torch.manual_seed(seed); a = f(*args)
    torch.manual_seed(seed); b = g(*args)
    return a, b

@pytest.mark.parametrize('p', [0.1, 0.6])
def test_dropout_respects_its_p_and_scales(p):
    x = torch.rand(200, 500) + 0.5
    y = Dropout(p)(x)
    assert abs((y == 0).float().mean().item() - p) < 0.01
    torch.testing.assert_close(y[y != 0], (x / (1 - p))[y != 0])

def test_dropout_eval_identity_and_pytorch_parity():
    x = torch.randn(4, 16, 8)
    assert torch.equal(Dropout(0.5).eval()(x), x) and torch.equal(Dropout(0.).train()(x), x)
    a, b = same_seed(Dropout(0.3), nn.Dropout(0.3), x)
    assert torch.equal(a, b)

def test_seq_dropout_is_fastai_rnndropout():
    x = torch.rand(8, 16, 32) + 0.5
    a, b = same_seed(SeqDropout(0.3), awdlstm.RNNDropout(0.3), x)
    assert torch.equal(a, b) and ((a == 0) == (a[:, :1] == 0)).all()
    assert torch.equal(SeqDropout(0.3).eval()(x), x)

def test_embed_dropout_is_fastai_embeddingdropout():
    emb, x = nn.Embedding(30, 8), torch.randint(0, 30, (16, 10))
    a, b = same_seed(EmbedDropout(emb, 0.3), awdlstm.EmbeddingDropout(emb, 0.3), x)
    assert torch.equal(a, b)
    assert torch.equal(EmbedDropout(emb, 0.3).eval()(x), emb(x))

def test_weight_drop_is_fastai_weightdropout():
    gru = nn.GRU(16, 16, batch_first=True)
    mine, theirs = WeightDrop(gru, 0.4), awdlstm.WeightDropout(copy.deepcopy(gru), 0.4)
    x = torch.randn(4, 5, 16)
    (a, _), (b, _) = same_seed(mine, theirs, x)
    torch.testing.assert_close(a, b)
    a.sum().backward(); b.sum().backward()
    torch.testing.assert_close(gru.weight_hh_l0.grad, theirs.weight_hh_l0_raw.grad)
    assert torch.equal(mine.eval()(x)[0], gru(x)[0])

class Triple(Module):
    "A small model returning (output, raw, dropped), as fastai's RNNCallback expects"
    def __init__(self): self.i_h, self.rnn, self.drop, self.h_o = nn.Embedding(30, 16), nn.GRU(16, 16, batch_first=True), nn.Dropout(0.3), nn.Linear(16, 30)
    def forward(self, x): raw, _ = self.rnn(self.i_h(x)); out = self.drop(raw); return self.h_o(out), raw, out
    def reset(self): pass

class FirstStep(Callback):
    order = RNNCallback.order + 2
    def after_loss(self):
        if self.training: self.ce, self.backprop, self.raw, self.out = self.learn.loss, self.learn.loss_grad, self.rnn.raw_out, self.rnn.out
    def after_backward(self): self.grads = {k: p.grad.clone() for k, p in self.model.named_parameters()}; raise CancelFitException()

@pytest.fixture(scope='module')
def dls(): return get_dls('seq')

def first_step(dls, cbs=(), **kw):
    set_seed(0); step = FirstStep()
    learn = lm_learner(dls, Triple(), cbs=list(cbs) + [step], **kw)
    set_seed(1); fit(learn, 1, 1e-3)
    return step

def test_ar_tar_change_the_loss_and_the_gradients(dls):
    none, both = first_step(dls, [RNNCallback()]), first_step(dls, [RNNCallback(), ARTAR(2., 1.)])
    assert none.backprop == none.ce and both.ce == none.ce
    torch.testing.assert_close(both.backprop - both.ce, ar_penalty(both.out, 2.) + tar_penalty(both.raw, 1.))
    assert not torch.allclose(both.grads['rnn.weight_hh_l0'], none.grads['rnn.weight_hh_l0'])

def test_ar_tar_match_fastai_and_reach_textlearner(dls):
    mine = first_step(dls, [RNNCallback(), ARTAR(2., 1.)])
    for theirs in (first_step(dls, alpha=2., beta=1.), first_step(dls, learner=TextLearner, alpha=2., beta=1.)):
        torch.testing.assert_close(theirs.backprop, mine.backprop)
        for k in mine.grads: torch.testing.assert_close(theirs.grads[k], mine.grads[k])
    off = first_step(dls, learner=TextLearner, alpha=0., beta=0.)
    assert off.backprop == off.ce

def test_tar_of_one_step_is_zero():
    assert tar_penalty(torch.randn(4, 1, 8), 1.) == 0

def test_tying_shares_one_tensor():
    emb, lin = nn.Embedding(30, 8), nn.Linear(8, 30)
    tie_weights(emb, lin)
    assert lin.weight is emb.weight and lin.weight.data_ptr() == emb.weight.data_ptr()
    before = emb.weight.detach().clone()
    opt = torch.optim.SGD([emb.weight, lin.bias], lr=0.1)
    lin(emb(torch.tensor([[1, 2]]))).sum().backward(); opt.step()
    assert not torch.equal(emb.weight, before) and torch.equal(lin.weight, emb.weight)
    m = RegLM(30, 16)
    assert m.h_o.weight is m.i_h.weight and RegLM(30, 16, tie=False).h_o.weight is not RegLM(30, 16, tie=False).i_h.weight
    with pytest.raises(ValueError, match='hidden sizes must match'): tie_weights(nn.Embedding(30, 8), nn.Linear(16, 30))

@pytest.mark.parametrize('make', [Dropout, SeqDropout, lambda p: EmbedDropout(nn.Embedding(3, 2), p), lambda p: WeightDrop(nn.GRU(2, 2), p),
                                  lambda p: RegLM(30, 8, p=p), lambda p: RegLM(30, 8, embed_p=p), lambda p: RegLM(30, 8, weight_p=p),
                                  lambda p: RegLM(30, 8, input_p=p), lambda p: RegLM(30, 8, hidden_p=p)])
@pytest.mark.parametrize('bad', [1.0, -0.1, 2, 'half', True])
def test_bad_p_is_clear(make, bad):
    with pytest.raises(ValueError, match=r'must be a dropout probability in \[0, 1\)'): make(bad)

def test_reglm_is_the_books_lmmodel7():
    bs = 64
    class LMModel7(Module):   # fastbook chapter 12, with its global bs
        def __init__(self, vocab_sz, n_hidden, n_layers, p):
            self.i_h = nn.Embedding(vocab_sz, n_hidden)
            self.rnn = nn.LSTM(n_hidden, n_hidden, n_layers, batch_first=True)
            self.drop = nn.Dropout(p)
            self.h_o = nn.Linear(n_hidden, vocab_sz)
            self.h_o.weight = self.i_h.weight
            self.h = [torch.zeros(n_layers, bs, n_hidden) for _ in range(2)]
        def forward(self, x):
            raw, h = self.rnn(self.i_h(x), self.h)
            out = self.drop(raw)
            self.h = [h_.detach() for h_ in h]
            return self.h_o(out), raw, out
    set_seed(0); book = LMModel7(30, 64, 2, 0.4)
    set_seed(0); m = get_recipe('reg.lmmodel7').model(30, 64)
    x = torch.randint(0, 30, (bs, 16))
    for a, b in zip(*same_seed(m, book, x)): assert torch.equal(a, b)

def test_registered_recipes():
    names = model_names()
    assert names[-2:] == ['reg.lmmodel7', 'reg.gru2']
    r7, best = get_recipe('reg.lmmodel7'), get_recipe('reg.gru2')
    assert (r7.epochs, r7.lr, r7.wd, r7.learner, r7.alpha, r7.beta, r7.n_hidden) == (15, 1e-2, 0.1, TextLearner, 2., 1., 64)
    assert (best.model.keywords['cell'], best.epochs, best.wd, best.clip) == ('gru', 20, 0.5, 0.25)
    learn = make_learner('reg.gru2')
    kinds = [type(c).__name__ for c in learn.cbs]
    assert [kinds.count(k) for k in ('ModelResetter', 'RNNCallback', 'RNNRegularizer', 'GradientClip')] == [1, 1, 1, 1]
    assert vary(best, p=0.).model.keywords['p'] == 0. and best.model.keywords['p'] == 0.4
    args = parser().parse_args(['count', '--models', 'reg.lmmodel7', 'reg.gru2'])
    assert args.models == ['reg.lmmodel7', 'reg.gru2']

def test_counting_and_generation_read_the_output_of_the_triple():
    m = RegLM(30, 16, 'gru', p=0.3, embed_p=0.1, weight_p=0.2)
    c = count(m, [8004, 8005, 9001])
    assert len(c) == 3 and m.training and m.h is None         # generation leaves the model reset, in the mode it found
    assert generate(m, 'one . two .', n=3, seed=0).startswith('one . two .')
