"Sequence to sequence (15_seq2seq), as a user imports it: the data, the shift of teacher forcing, masked attention, greedy and beam decoding, scoring, and bad input."
import pytest, torch
from fastai.basics import Learner, set_seed, tensor
from rnn_from_scratch.seq2seq import *

@pytest.fixture(scope='module')
def learner():
    "An untrained words-to-digits model in a `Learner`: enough for decoding and for refusals"
    set_seed(0)
    dls = s2s_dls('words2digits')
    return Learner(dls, Seq2Seq(len(dls.vocabs['words']), len(dls.vocabs['digits']), 16), loss_func=s2s_loss)

def test_pairs_keep_fastai_split():
    train, valid = number_pairs('train'), number_pairs('valid')
    assert (len(train), len(valid)) == (7999, 1999)
    assert train[812] == ('eight hundred thirteen'.split(), list('813'))
    assert all(d[0] in '89' and len(d) == 4 for _, d in valid)
    assert not any(len(d) == 4 and d[0] in '89' for _, d in train)   # the sharp question of the split

def test_teacher_forcing_shift():
    items = s2s_items('valid', 'digits2words')[:5]
    src, lengths, dec_in, labels = s2s_collate(items)
    assert (dec_in[:, 0] == BOS).all() and lengths.tolist() == [4] * 5
    for (_, t), i, l in zip(items, dec_in, labels):
        n = len(t) - 1
        assert i[:n].tolist() == t[:-1].tolist() and l[:n].tolist() == t[1:].tolist() and (l[n:] == PAD).all()

@pytest.mark.parametrize('attention,places', [(None, 0), ('additive', 0), ('dot', 0), ('additive', 4)])
def test_padding_changes_nothing(attention, places):
    "The same scores in a padded batch as alone; with place vectors, each token's place counts from its own end"
    items = s2s_items('train', 'words2digits')[::997][:6]
    set_seed(1)
    m = Seq2Seq(32, 13, 8, attention, places=places).eval()
    src, lengths, dec_in, _ = s2s_collate(items)
    batch = m(src, lengths, dec_in)
    for i, (s, t) in enumerate(items):
        assert torch.allclose(batch[i, :len(t) - 1], m(s[None], tensor([len(s)]), t[None, :-1])[0], atol=1e-5)

def test_attention_weights_skip_padding():
    q, keys = torch.randn(2, 4), torch.randn(2, 3, 4)
    mask = torch.tensor([[True, True, True], [True, True, False]])
    for att in (AdditiveAttention(4), DotAttention()):
        w = att(q, keys, mask)
        assert w[1, 2] == 0 and torch.allclose(w.sum(1), torch.ones(2))
    assert torch.allclose(DotAttention()(q, keys, mask)[1, :2], (keys[1, :2] @ q[1]).softmax(0))

def test_loss_ignores_padding():
    scores, labels = torch.randn(2, 3, 13), tensor([[4, 5, EOS], [6, EOS, PAD]])
    real = labels != PAD
    want = torch.nn.functional.cross_entropy(scores[real], labels[real])
    assert torch.allclose(s2s_loss(scores, labels), want)
    assert token_accuracy(torch.nn.functional.one_hot(labels, 13).float(), labels) == 1

def test_beam_of_one_is_greedy(learner):
    items = s2s_items('valid', 'words2digits')[:40]
    assert decode_all(learner.model, items, beam=1) == [beam_search(learner.model, s, k=1)[0] for s, _ in items]

def test_place_vectors_count_from_the_end():
    set_seed(0)
    enc = Encoder(13, 4, places=4)
    src, lengths = tensor([[5, 6, 7], [8, 0, 0]]), tensor([3, 1])
    seen = []
    enc.place.register_forward_hook(lambda m, i, o: seen.append(i[0]))
    enc(src, lengths)
    assert seen[0].tolist() == [[2, 1, 0], [0, 0, 0]]   # the last real token is place 0 (units)

def test_score_outputs_by_hand():
    items = [(tensor([3]), tensor([BOS, 4, 5, EOS])), (tensor([3]), tensor([BOS, 6, EOS]))]
    r = score_outputs([[4, 7], [6]], items)
    assert r['exact'] == 0.5 and r['per_position'] == [1.0, 0.0]   # position 2 only in the first target

@pytest.mark.parametrize('text,msg', [('eight thousnd two', "did you mean 'thousand'"), ('0', 'from 1 to 9999'),
                                      ('10000', 'from 1 to 9999'), ('0812', 'no leading zero'), ('', 'from 1 to 9999'),
                                      ('two seven', 'not a number phrase'), ('twelve thousand', 'from 1 to 9999'),
                                      ('8102', 'needs digits2words')])
def test_translate_refuses_bad_input(learner, text, msg):
    with pytest.raises(ValueError, match=msg): translate(learner, text)

def test_bad_model_settings(learner):
    with pytest.raises(ValueError, match="use None, 'additive'"): Seq2Seq(5, 5, attention='luong')
    with pytest.raises(ValueError, match='n_hidden must be a positive'): Seq2Seq(5, 5, 0)
    with pytest.raises(ValueError, match='places must be a whole number'): Seq2Seq(5, 5, places=-1)
    with pytest.raises(ValueError, match='input_dropout must be in'): Seq2Seq(5, 5, input_dropout=1)
    with pytest.raises(ValueError, match='unknown direction'): s2s_items('train', 'words2roman')
    with pytest.raises(ValueError, match='beam must be a positive'): translate(learner, 'seven', beam=0)
    with pytest.raises(ValueError, match='plain model has no attention'):
        alignment(Learner(learner.dls, Seq2Seq(32, 13, 8, None), loss_func=s2s_loss), 'seven')
