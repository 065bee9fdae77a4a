"Variable-length classification: padding, the last real state, batch = alone, inference errors."
import pytest, torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence
from rnn_from_scratch.varlen import (number_label, CLASSES, number_items, split_items, pad_collate, last_hidden,
                                     NumberClassifier, train_classifier, predict_number_class, evaluate)

def test_labels_and_items():
    assert [CLASSES[number_label(n)] for n in (7002, 19, 1, 9999)] == ['7…even', '1…odd', '1…odd', '9…odd']
    vocab, items = number_items()
    assert len(vocab) == 30 and len(items) == 9998 and {len(x) for x, _ in items} == {1, 2, 3, 4, 5, 6}
    a, b = split_items(items), split_items(items)
    assert len(a[0]) == 7998 and [y for _, y in a[1][:50]] == [y for _, y in b[1][:50]]   # seeded: the same split

def test_padding_and_last_real_state():
    vocab, items = number_items()
    pad = len(vocab)
    x, lengths, y = pad_collate([items[6], items[1998], items[7105]], pad_id=pad)
    assert lengths.tolist() == [1, 6, 5] and (x[0, 1:] == pad).all()
    torch.manual_seed(0)
    emb, gru = nn.Embedding(pad + 1, 16, padding_idx=pad), nn.GRU(16, 16, batch_first=True)
    out, _ = gru(emb(x))
    assert not torch.allclose(out[:, -1], last_hidden(out, lengths))      # the padded end is the wrong state
    _, h = gru(pack_padded_sequence(emb(x), lengths, batch_first=True, enforce_sorted=False))
    torch.testing.assert_close(h[0], last_hidden(out, lengths))

@pytest.mark.parametrize('cell,bi', [('rnn', False), ('gru', False), ('gru', True)])
def test_batch_equals_alone(cell, bi):
    vocab, items = number_items()
    x, lengths, _ = pad_collate(items[100:108], pad_id=len(vocab))
    m = NumberClassifier(len(vocab), cell=cell, bidirectional=bi).eval()
    batch = m(x, lengths)
    for i in range(len(x)): torch.testing.assert_close(batch[i], m(x[i:i+1, :lengths[i]], lengths[i:i+1])[0], atol=1e-5, rtol=1e-5)

@pytest.fixture(scope='module')
def learn(): return train_classifier('gru', True, epochs=2)

def test_trains_and_predicts(learn):
    r = evaluate(learn)
    assert r['accuracy'] > 0.5 and r['epochs'] == 2 and r['confusion'].shape == (18, 18)
    assert predict_number_class('seven thousand two', learn) in CLASSES

@pytest.mark.parametrize('text,msg', [('', 'non-empty'), ('   ', 'non-empty'), ('seven thousnd two', "did you mean 'thousand'"),
                                      ('zebra', 'the vocab holds only'), ('two seven', 'not a number phrase')])
def test_predict_bad_input(learn, text, msg):
    with pytest.raises(ValueError, match=msg): predict_number_class(text, learn)

def test_predict_from_a_string_alone():
    assert predict_number_class('seven thousand two') == '7…even'
    assert predict_number_class('nineteen') == '1…odd'
