"The data module as a user imports it: number words, the files, tokens, batches, bad input."
import hashlib, subprocess, sys
from pathlib import Path
import pytest, torch
from hypothesis import given, strategies as st
from rnn_from_scratch.data import (num2words, words2num, human_numbers, load_nums, words3_dataset, seq_dataset,
                                   split_dataset, valid_span, group_chunks, get_dls, most_common_baseline, check_tokens)

@given(st.integers(1, 999_999))
def test_round_trip(n): assert words2num(num2words(n)) == n

@given(st.integers(1, 999_999))
def test_words_are_plain(n):
    w = num2words(n)
    assert '-' not in w and ' and ' not in w and '  ' not in w and w == w.strip()

@pytest.mark.parametrize('bad', [0, -1, 1_000_000, 3.0, True, '7', None])
def test_num2words_rejects(bad):
    with pytest.raises(ValueError, match='1 to 999,999'): num2words(bad)

@pytest.mark.parametrize('bad,msg', [('eleventy one', "'eleventy' is not a number word"), ('one one', 'not a number phrase'),
                                     ('thousand', 'not a number phrase'), ('', 'non-empty'), (5, 'non-empty')])
def test_words2num_rejects(bad, msg):
    with pytest.raises(ValueError, match=msg): words2num(bad)

def test_files_match_fastai(tmp_path):
    p = human_numbers(tmp_path/'hn')
    train, valid = ((p/f'{s}.txt').read_text() for s in ('train', 'valid'))
    lines = train.splitlines(True) + valid.splitlines(True)
    assert len(lines) == 9998 and lines[:2] == ['one \n', 'two \n']   # as the fastai book prints them
    assert train.splitlines()[-1] == 'seven thousand nine hundred ninety nine '
    assert valid.splitlines()[0] == 'eight thousand one '
    book_text_100 = 'one . two . three . four . five . six . seven . eight . nine . ten . eleven . twelve . thirteen . fo'
    assert ' . '.join(l.strip() for l in lines)[:100] == book_text_100   # the book's `text[:100]`

def test_reads_a_fastai_download(tmp_path, monkeypatch):
    dl = tmp_path/'fa'/'data'/'human_numbers'
    human_numbers(dl)  # stands in for a real download
    monkeypatch.setenv('FASTAI_HOME', str(tmp_path/'fa'))
    assert human_numbers() == dl

def test_unwritable_path_is_a_clear_error(tmp_path):
    blocker = tmp_path/'file'; blocker.write_text('x')
    with pytest.raises(PermissionError, match='pass a writable folder'): human_numbers(blocker/'hn')
    assert not (blocker.parent/'hn').exists()

def test_corrupt_file_is_detected(tmp_path):
    p = human_numbers(tmp_path/'hn')
    (p/'valid.txt').write_text('one \n')
    with pytest.raises(ValueError, match='regenerate'): load_nums(p)

def test_book_counts():
    vocab, nums = load_nums()
    assert len(nums) == 63_095 and len(vocab) == 30 and list(vocab[:3]) == ['one', '.', 'two']
    assert len(words3_dataset(nums)) == 21_031
    x, y = seq_dataset(nums)[5]
    assert torch.equal(x[1:], y[:-1])

@pytest.mark.parametrize('kind,last', [('words3_grouped', lambda y: y), ('seq', lambda y: y[:, -1])])
def test_each_row_continues(kind, last):
    dls = get_dls(kind)
    for dl in (dls.train, dls.valid):
        bs = list(dl)
        assert all(len(x) == 64 for x, _ in bs)
        assert all(torch.equal(x1[:, 0], last(y0)) for (_, y0), (x1, _) in zip(bs, bs[1:]))

def test_group_chunks_small():
    assert list(group_chunks(list(range(6)), 2)) == [0, 3, 1, 4, 2, 5]
    with pytest.raises(ValueError, match='smaller bs'): group_chunks(list(range(3)), 4)

def test_split_in_order():
    tr, va = split_dataset(list(range(10)))
    assert tr == list(range(8)) and va == [8, 9]

def test_baseline():
    tok, acc = most_common_baseline(get_dls('words3'))
    assert tok == 'thousand' and 0.14 < acc < 0.16

def test_bad_dls():
    with pytest.raises(ValueError, match='fewer than one batch'): get_dls('seq', bs=5000)
    with pytest.raises(ValueError, match='use one of'): get_dls('chars')

def test_check_tokens():
    with pytest.raises(ValueError, match='outside the vocab'): check_tokens(torch.tensor([[0, 31]]), 30)
    with pytest.raises(ValueError, match='outside the vocab'): check_tokens(torch.tensor([[-1, 3]]), 30)

def test_fresh_import_never_loads_torchvision():
    code = 'import sys, rnn_from_scratch.cli; print("torchvision" in sys.modules)'
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == 'False'

@pytest.mark.parametrize('n,sl,pct', [(63095, 16, 0.8), (100, 4, 0.5), (50, 3, 0.8)])
def test_valid_span_is_where_the_validation_items_lie(n, sl, pct):
    ids = torch.arange(n)
    _, valid = split_dataset(seq_dataset(ids, sl), pct)
    cut, end = valid_span(n, sl, pct)
    assert cut == valid[0][0][0].item() and end == valid[-1][1][-1].item() + 1   # the first input token, one past the last target
