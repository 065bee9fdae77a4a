"The scratch LSTM and GRU of 12_gates and 12a_fast_gates, as a user imports them: parity with PyTorch in float64, gradcheck, state handling, bad input, registration."
import pytest, torch
from torch import nn
from rnn_from_scratch.gates import (LSTMCell, GRUCell, LSTMCellPerGate, GRUCellPerGate, LSTMFn, GRUFn, GatedRNN, ScratchLM, IMPLS,
                                    cell_parity, stack_parity, hand_vs_autograd, seq_fn_args, load_torch_cell, fwd_bwd_flops, speed_rows)
from rnn_from_scratch.training import get_recipe, model_names

TOL = 1e-10   # float64 (eps 2.2e-16): rounding of reordered sums stays near 1e-15, a real bug moves these numbers by 0.01 to 1

@pytest.mark.parametrize('scratch,ref', [(LSTMCellPerGate, nn.LSTMCell), (LSTMCell, nn.LSTMCell), (GRUCellPerGate, nn.GRUCell), (GRUCell, nn.GRUCell)])
def test_cell_parity_float64(scratch, ref):
    d = cell_parity(scratch, ref, seed=1)
    assert max(d.values()) < TOL, d

def test_planted_bug_is_caught():
    class Swapped(LSTMCell):   # reads the chunks in the book's order i, f, o, g while holding PyTorch's weights
        def forward(self, x, state):
            h, c = state
            i, f, o, g = (self.ih(x) + torch.nn.functional.linear(h, self.weight_hh, self.bias_hh)).chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            return h, (h, c)
    assert min(cell_parity(Swapped, nn.LSTMCell).values()) > 1e-3

@pytest.mark.parametrize('cell', ['lstm', 'gru'])
@pytest.mark.parametrize('impl', IMPLS)
def test_two_layer_stack_parity_with_state_carried(cell, impl):
    d = stack_parity(cell, impl, seed=2)
    assert max(d.values()) < TOL, d

@pytest.mark.parametrize('cell', ['lstm', 'gru'])
def test_hand_backward(cell):
    d64 = hand_vs_autograd(cell, seed=3)
    assert max(d64.values()) < TOL, d64
    d32 = hand_vs_autograd(cell, dtype=torch.float32, seed=3)   # the oneDNN path where it runs
    assert max(d32.values()) < 1e-5, d32

def test_gradcheck_cells_and_functions():
    torch.manual_seed(0)
    for cell, n_st in ((LSTMCell(3, 4).double(), 2), (GRUCell(3, 4).double(), 1)):
        x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
        st = [torch.randn(2, 4, dtype=torch.float64, requires_grad=True) for _ in range(n_st)]
        f = lambda x, *st: cell(x, tuple(st) if len(st) == 2 else st[0])[0]
        assert torch.autograd.gradcheck(f, [x] + st)
    for Fn, cell in ((LSTMFn, 'lstm'), (GRUFn, 'gru')):
        assert torch.autograd.gradcheck(Fn.apply, [t.requires_grad_() for t in seq_fn_args(cell, sl=4, bs=2, ni=3, nh=5, seed=0)])

def test_forget_gate_is_the_cell_states_jacobian():
    torch.manual_seed(0)
    cell = LSTMCell(3, 4).double()
    x, h, c = (torch.randn(1, n, dtype=torch.float64) for n in (3, 4, 4))
    J = torch.autograd.functional.jacobian(lambda c: cell(x, (h, c))[1][1], c)[0, :, 0]
    f = torch.sigmoid((cell.ih(x) + torch.nn.functional.linear(h, cell.weight_hh, cell.bias_hh)).chunk(4, 1)[1])[0].detach()
    torch.testing.assert_close(J, torch.diag(f), atol=1e-15, rtol=0)

@pytest.mark.parametrize('cell', ['lstm', 'gru'])
def test_state_kept_detached_reset_and_batch_size(cell):
    torch.manual_seed(0)
    m, x = ScratchLM(30, 16, cell, 2), torch.randint(0, 30, (8, 5))
    a = m(x)
    hs = m.h if cell == 'lstm' else (m.h,)
    assert a.shape == (8, 5, 30) and all(h.shape == (2, 8, 16) and h.grad_fn is None and not h.requires_grad for h in hs)
    assert not torch.equal(m(x), a)                       # the kept state carries into the next batch
    m.reset(); assert m.h is None and torch.allclose(m(x), a)
    with pytest.raises(ValueError, match=r'call `reset\(\)` before changing the batch size'): m(x[:3])
    m.reset(); assert m(x[:3]).shape == (3, 5, 30)

def test_bad_input_says_what_to_do():
    r, x = GatedRNN(8, 16, 'lstm', 2), torch.randn(4, 5, 8)
    cases = [(lambda: ScratchLM(30, 16, 'transformer'), 'use one of lstm, gru'),
             (lambda: GatedRNN(8, 16, impl='fast'), 'use one of loop, hoist, script, hand'),
             (lambda: GatedRNN(8, 16, 'gru_per_gate', impl='hand'), "runs only with impl='loop'"),
             (lambda: r(x, (torch.zeros(2, 4, 32), torch.zeros(2, 4, 32))), 'hidden size 32 but the layers have 16'),
             (lambda: r(x, torch.zeros(2, 4, 16)), r'is a pair \(h, c\)'),
             (lambda: r(x, (torch.zeros(2, 7, 16), torch.zeros(2, 7, 16))), 'batches of 7 rows but the input has 4'),
             (lambda: r(x[:, :0]), 'zero tokens'),
             (lambda: LSTMCell(8, 16)(x[:, 0], (torch.zeros(4, 32), torch.zeros(4, 32))), 'hidden size 32 but the cell has 16'),
             (lambda: GRUCell(8, 16)(x[:, 0], torch.zeros(2, 16)), 'batches of 2 rows'),
             (lambda: ScratchLM(30, 16)(torch.zeros(4, 0, dtype=torch.long)), 'token')]
    for f, msg in cases:
        with pytest.raises(ValueError, match=msg): f()

def test_load_torch_cell_per_gate_matches():
    torch.manual_seed(0)
    ref = nn.GRUCell(3, 4).double()
    s = load_torch_cell(GRUCellPerGate(3, 4).double(), ref)
    x, h = torch.randn(2, 3, dtype=torch.float64), torch.randn(2, 4, dtype=torch.float64)
    torch.testing.assert_close(s(x, h)[0], ref(x, h), atol=TOL, rtol=0)

@pytest.mark.parametrize('impl', IMPLS)
def test_no_tensor_made_on_the_cpu(impl):
    m = GatedRNN(8, 16, 'lstm', 2, impl).to('meta')
    y, (h, c) = m(torch.randn(4, 5, 8, device='meta', requires_grad=True))
    y.sum().backward()
    assert {y.device.type, h.device.type, c.device.type, m.layers[0].cell.weight_ih.grad.device.type} == {'meta'}

def test_registered_beside_the_torch_twins():
    names = model_names()
    assert names.index('nn.lstm2') < names.index('scratch.lstm2') and 'scratch.gru2' in names
    for n in ('scratch.lstm2', 'scratch.gru2'):
        r = get_recipe(n)
        assert (r.data, r.epochs, r.lr, r.wd) == ('seq', 15, 3e-2, 0.1)
        m = r.model(30, 64)
        assert isinstance(m, ScratchLM) and m.rnn.n_layers == 2 and m.rnn.layers[0].impl == 'hand'
    assert sum(p.numel() for p in get_recipe('scratch.gru2').model(30, 64).parameters()) == sum(p.numel() for p in get_recipe('nn.gru2').model(30, 64).parameters())

@pytest.mark.parametrize('cell,G', [('lstm', 4), ('gru', 3)])
def test_flop_formula_matches_pytorchs_counter(cell, G):
    "`fwd_bwd_flops` against torch.utils.flop_counter on a real forward+backward: equal but for the skipped gradient into h0"
    from torch.utils.flop_counter import FlopCounterMode
    for bs, sl, nh in ((64, 16, 64), (8, 5, 32), (3, 7, 16)):
        m = ScratchLM(30, nh, cell, 1, impl='hoist')
        with FlopCounterMode(display=False) as fc: m(torch.randint(0, 30, (bs, sl))).sum().backward()
        assert fc.get_total_flops() == fwd_bwd_flops(cell, bs, sl, nh, 30) - 2 * bs * G * nh * nh

def test_flops_and_speed_rows():
    rows = speed_rows({'nn.RNN': 10.0, 'nn.LSTM': 4.0, 'scratch.LSTM': 5.0}, 'large', peak=100.0)
    r = {o['model']: o for o in rows}
    assert r['scratch.LSTM']['ratio_to_twin'] == 1.25 and r['nn.LSTM']['ratio_to_nn_rnn'] == 0.4
    assert abs(r['scratch.LSTM']['gflop_per_s'] - 5 * fwd_bwd_flops('lstm', 64, 64, 512, 30) / 4096 / 1e9) < 1e-12

def test_fastai_weight_decay_treats_scratch_biases_like_torch_ones():
    "fastai skips weight decay for `m.bias` of every module: nn.Linear's bias, not nn.LSTM's (a flag); the fused cells hold PyTorch's parameters so they train like their twins"
    from fastai.torch_core import norm_bias_params
    from rnn_from_scratch.torch_rnns import TorchRNN
    ids = lambda m: {n for n, p in m.named_parameters() if any(p is q for q in norm_bias_params(m))}
    for cell in ('lstm', 'gru'): assert ids(ScratchLM(30, 16, cell)) == ids(TorchRNN(30, 16, cell, 2)) == {'h_o.bias'}

class _Op:
    "A stand-in for one private oneDNN op: `binary` is its overload, or missing"
    def __init__(self, f, binary=None):
        self.f = f
        if binary is not None: self.binary = binary
    def __call__(self, *a): return self.f(*a)

def _good(x, w, b, *_): return nn.functional.linear(x, w, b)
def _good_binary(x, add, w, b, *_): return nn.functional.linear(x, w, b) + add
def _raises(e): 
    def f(*a): raise e
    return f

@pytest.mark.parametrize('ops', [
    object(),                                                            # no _linear_pointwise at all
    type('Ops', (), {'_linear_pointwise': _Op(_good)})(),                # the op, but no .binary overload
    type('Ops', (), {'_linear_pointwise': _Op(_good, _raises(RuntimeError('no kernel')))})(),
    type('Ops', (), {'_linear_pointwise': _Op(_raises(TypeError('new signature')), _good_binary)})(),
    type('Ops', (), {'_linear_pointwise': _Op(lambda *a: _good(*a) * 2, _good_binary)})(),   # runs, but computes something else
], ids=['missing', 'no-binary', 'binary-fails', 'signature-changed', 'wrong-result'])
def test_onednn_missing_or_changed_falls_back(ops):
    from rnn_from_scratch import gates
    assert gates._onednn_ok(ops) is False
    good = type('Ops', (), {'_linear_pointwise': _Op(_good, _good_binary)})()
    assert gates._onednn_ok(good) is torch.backends.mkldnn.is_available()

@pytest.mark.parametrize('cell', ['lstm', 'gru'])
def test_forced_fallback_gives_the_same_layer(cell, monkeypatch):
    "With the private op unusable, `linear` takes `F.linear`: same outputs and gradients up to float32 rounding, and training runs"
    from rnn_from_scratch import gates
    def run():
        torch.manual_seed(0)
        m, x = GatedRNN(8, 16, cell, 2), torch.randn(4, 5, 8)
        y, _ = m(x); y.square().sum().backward()
        return y.detach(), [p.grad for p in m.parameters()]
    y1, g1 = run()
    monkeypatch.setattr(gates, 'ONEDNN', False)
    calls = []
    monkeypatch.setattr(torch.ops.mkldnn, '_linear_pointwise', lambda *a: calls.append(a), raising=False)
    y2, g2 = run()
    assert calls == []   # the private op was not called
    torch.testing.assert_close(y1, y2, atol=1e-5, rtol=0)
    for a, b in zip(g1, g2): torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)

@pytest.mark.parametrize('kw,msg', [(dict(n_layers=0), 'n_layers must be a positive whole number, got 0'),
                                    (dict(nh=0), 'nh must be a positive whole number'), (dict(ni=-1), 'ni must be a positive')])
def test_gated_rnn_bad_sizes(kw, msg):
    with pytest.raises(ValueError, match=msg): GatedRNN(**(dict(ni=8, nh=16) | kw))

@pytest.mark.parametrize('x,msg', [(torch.randn(4, 5, 7), r'expected input of shape \(bs, sl, 8\)'), (torch.randn(4, 8), r'got \(4, 8\)'),
                                   (torch.zeros(4, 5, 8, dtype=torch.long), 'embed token ids first'), (torch.randn(4, 0, 8), 'zero tokens')])
def test_gated_rnn_bad_input(x, msg):
    with pytest.raises(ValueError, match=msg): GatedRNN(8, 16, 'gru')(x)

def test_step_checks_pass_the_reference_and_name_the_slips(capsys):
    "12_gates' exercises: `check_lstm_step` and `check_gru_step` pass PyTorch's own step and name the typical slips"
    import torch.nn.functional as F
    from rnn_from_scratch.gates import check_lstm_step, check_gru_step, lstm_step, gru_step
    check_lstm_step(lambda x, h, c, W_ih, W_hh, b_ih, b_hh: lstm_step(F.linear(x, W_ih, b_ih), h, c, W_hh, b_hh))
    check_gru_step(lambda x, h, W_ih, W_hh, b_ih, b_hh: gru_step(F.linear(x, W_ih, b_ih), h, W_hh, b_hh))
    assert capsys.readouterr().out.count('pass') == 2
    def book_order(x, h, c, W_ih, W_hh, b_ih, b_hh):
        i, f, o, g = (F.linear(x, W_ih, b_ih) + F.linear(h, W_hh, b_hh)).chunk(4, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c
    with pytest.raises(AssertionError, match="the book's order"): check_lstm_step(book_order)
    def z_weighs_n(x, h, W_ih, W_hh, b_ih, b_hh):
        (xr, xz, xn), (hr, hz, hn) = F.linear(x, W_ih, b_ih).chunk(3, 1), F.linear(h, W_hh, b_hh).chunk(3, 1)
        r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
        return z * torch.tanh(xn + r * hn) + (1 - z) * h
    with pytest.raises(AssertionError, match='z = 1 keeps the old state'): check_gru_step(z_weighs_n)
    with pytest.raises(AssertionError, match='shapes'): check_gru_step(lambda x, h, *w: h[:1])
