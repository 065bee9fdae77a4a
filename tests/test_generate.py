"Text generation: every way a model reads text, greedy and sampled, stop tokens, characters, errors."
import pytest, torch
from rnn_from_scratch.data import load_nums
from rnn_from_scratch.unrolled import RNN1
from rnn_from_scratch.stateful import RNN3
from rnn_from_scratch.many_to_many import RNN4
from rnn_from_scratch.torch_rnns import TorchRNN
from rnn_from_scratch.training import LastToken
from rnn_from_scratch.bptt import HandRNN
from rnn_from_scratch.generate import (is_char_vocab, encode, decode, next_scores, sample, generate_ids, generate,
                                       check_generation, char_dls, train_char_lm)

VOCAB = load_nums()[0]
PROMPT = 'two thousand five . two thousand six .'

def naive_greedy(model, ids, n):
    "Greedy generation that re-reads the whole text from a fresh state at every step (windows of n_tok ending at the end)"
    if hasattr(model, 'eval'): model.eval()
    k = getattr(model, 'n_tok', None)
    with torch.no_grad():
        for _ in range(n):
            if hasattr(model, 'reset'): model.reset()
            if k:
                for i in range(ids.shape[1] % k, ids.shape[1], k): out = model(ids[:, i:i+k])
            else: out = model(ids)
            out = out[:, -1] if out.ndim == 3 else out
            ids = torch.cat([ids, out.argmax(-1)[:, None]], 1)
    return ids

@pytest.mark.parametrize('make', [lambda: RNN4(30, 16), lambda: TorchRNN(30, 16, 'lstm', 2), lambda: HandRNN(30, 16),
                                  lambda: RNN3(30, 16), lambda: LastToken(30, 16)])
def test_generation_equals_rereading_everything(make):
    torch.manual_seed(0)
    m = make()
    ids = torch.tensor([encode(PROMPT, VOCAB), encode('one . two . three . four .', VOCAB)[:9]])
    fast = generate_ids(m, ids, 7, greedy=True)
    torch.testing.assert_close(torch.cat([ids, fast], 1), naive_greedy(m, ids, 7))

def test_window_model_reads_the_last_three_tokens():
    torch.manual_seed(0)
    m = RNN1(30, 16).eval()
    ids = torch.tensor([encode(PROMPT, VOCAB)])
    with torch.no_grad(): expected = m(ids[:, -3:]).argmax(-1)
    assert generate_ids(m, ids, 1, greedy=True)[0, 0] == expected[0]
    with pytest.raises(ValueError, match='at least 3 tokens'): generate(m, 'one .')

def test_model_comes_back_reset_and_in_training_mode():
    m = TorchRNN(30, 16, 'gru').train()
    m.h = torch.zeros(1, 4, 16)
    generate(m, PROMPT, 3)
    assert m.training and m.h is None
    m4 = RNN4(30, 16).eval()
    generate(m4, PROMPT, 3)
    assert not m4.training and m4.h == 0

def test_stop_ends_rows_and_pads_them():
    torch.manual_seed(1)
    m = RNN4(30, 16)
    ids = torch.tensor([encode(PROMPT, VOCAB)] * 3)
    stop = VOCAB.index('.')
    out = generate_ids(m, ids, 30, stop=stop, seed=0)
    for row in out.tolist():
        if stop in row: assert all(t == stop for t in row[row.index(stop):])
    text = generate(m, PROMPT, 30, stop='.', seed=0)
    assert not text[len(PROMPT):].strip().startswith('.') and text.count('.') == PROMPT.count('.')

def test_sampling_is_seeded_and_follows_the_distribution():
    scores = torch.tensor([[1.0, 0.0, -1.0]]).expand(4000, 3)
    a = sample(scores, 1.0, generator=torch.Generator().manual_seed(0))
    b = sample(scores, 1.0, generator=torch.Generator().manual_seed(0))
    assert torch.equal(a, b)
    torch.testing.assert_close(a.bincount(minlength=3) / 4000, torch.softmax(scores[0], -1), atol=0.03, rtol=0)
    cold = sample(scores, 0.05, generator=torch.Generator().manual_seed(0))
    assert (cold == 0).float().mean() > 0.99
    m = TorchRNN(30, 16, 'gru')
    assert generate(m, PROMPT, 10, seed=3) == generate(m, PROMPT, 10, seed=3)

def test_text_round_trip_words_and_characters():
    assert not is_char_vocab(VOCAB) and is_char_vocab(list('ab '))
    assert decode(encode(PROMPT, VOCAB), VOCAB) == PROMPT
    assert decode(encode('ab ba', list('ab '), chars=True), list('ab '), chars=True) == 'ab ba'

@pytest.mark.parametrize('kw,msg', [(dict(prompt=''), 'non-empty'), (dict(prompt=None), 'non-empty'),
                                    (dict(prompt='one . twwo'), "did you mean 'two'"), (dict(n=0), 'at least 1'),
                                    (dict(n=2.5), 'whole number'), (dict(temperature=0), 'greedy=True'),
                                    (dict(temperature=-2), 'above 0'), (dict(temperature=float('inf')), 'finite number above 0'),
                                    (dict(temperature=float('nan')), 'finite number above 0'), (dict(stop='stop'), "unknown token 'stop'"),
                                    (dict(vocab=list('one .tw')), 'the model scores 30 tokens')])
def test_bad_input(kw, msg):
    args = dict(prompt='one . two', n=3) | kw
    with pytest.raises(ValueError, match=msg): generate(RNN4(30, 8), **args)

def test_check_generation_accepts_good_values():
    check_generation(1, 0.01); check_generation(5, 2)

def test_character_model_recites():
    lines = ['hey how are you', 'good i am fine', 'have a nice day']
    dls = char_dls(lines)
    assert is_char_vocab(dls.vocab) and '\n' in dls.vocab
    learn = train_char_lm(lines)
    assert generate(learn, 'good', 20, greedy=True, stop='\n') == 'good i am fine'
    assert generate(learn, 'have', 20, greedy=True, stop='\n') == 'have a nice day'
    with pytest.raises(ValueError, match='sequence model'): train_char_lm(lines, 'rnn2')
    with pytest.raises(ValueError, match="unknown token 'z'"): generate(learn, 'zoo')
