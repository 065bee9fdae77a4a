"The comparison helpers and the fast from-scratch RNN, as a user imports them."
import math, torch
import pandas as pd
from rnn_from_scratch.data import get_dls
from rnn_from_scratch.many_to_many import RNN4
from rnn_from_scratch.speed import RNN4Fast, alternate, ratio_range, torch_threads
from rnn_from_scratch.compare import results_frame, results_table, step_grad_norms
from rnn_from_scratch.torch_rnns import TorchRNN
from rnn_from_scratch.training import lm_loss

def test_fast_rnn_matches_rnn4_and_its_gradients():
    m4, mf = RNN4(30, 64), RNN4Fast(30, 64)
    mf.load_state_dict(m4.state_dict())
    batches = list(get_dls('seq').train)[:3]
    for x, y in batches: torch.testing.assert_close(mf(x), m4(x), atol=1e-5, rtol=1e-5)
    m4.reset(); mf.reset()
    x, y = batches[0]
    lm_loss(m4(x), y).backward(); lm_loss(mf(x), y).backward()
    for a, b in zip(m4.parameters(), mf.parameters()): torch.testing.assert_close(b.grad, a.grad, atol=1e-5, rtol=1e-4)

def test_alternate_interleaves_and_takes_medians():
    calls = []
    vals = {'a': iter([0, 1, 5, 3]), 'b': iter([0, 10, 30, 20])}
    med = alternate({k: (lambda k=k: calls.append(k) or next(vals[k])) for k in vals}, reps=3)
    assert calls == ['a', 'b'] * 4 and med == {'a': 3, 'b': 20}
    assert med.runs == {'a': [1, 5, 3], 'b': [10, 30, 20]}   # the warm-up call is not kept
    assert ratio_range(med, 'a', 'b') == (1 / 10, 5 / 30)   # a round's pair, not the lowest over the highest
    calls.clear(); alternate({'a': lambda: calls.append('a') or 1}, reps=1)
    assert calls == ['a']   # one round is a smoke test: no warm-up

def test_results_table_has_baseline_and_perplexity():
    s = [dict(model='m', params=10, epochs=1, lr=0.1, wd=None, seeds=2, accuracy_mean=0.5, accuracy_std=0.1,
              valid_loss_mean=1.0, valid_loss_std=0.2, perplexity=math.e, seconds_per_epoch=0.3, tokens_per_s=1000.0)]
    df = results_frame(s)
    assert list(df.model) == ['m', "always '.'"]
    t = results_table(df)
    assert '0.500 ± 0.100' in t and '2.72' in t and '1,000' in t

def test_step_grad_norms_shape():
    xb, yb = get_dls('seq').one_batch()
    g = step_grad_norms(TorchRNN(30, 64, 'rnn', 2, 'tanh'), xb, yb)
    assert [len(o) for o in g] == [16, 16] and all(v > 0 for o in g for v in o[:-1]) and g[0][-1] == 0

def test_torch_threads_restores_the_count_even_on_error():
    before = torch.get_num_threads()
    with torch_threads(1): assert torch.get_num_threads() == 1
    try:
        with torch_threads(2): raise RuntimeError('boom')
    except RuntimeError: pass
    assert torch.get_num_threads() == before
