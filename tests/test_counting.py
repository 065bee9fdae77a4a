"Can it count? The counting test itself, checked with models that count perfectly and models that are off by one."
import re, math, pytest, torch
from torch import nn
from rnn_from_scratch.data import load_nums, num2words, words2num
from rnn_from_scratch.counting import (split_numbers, count_prompt, count_targets, count, boundary, miss_kind, count_scores,
                                       counting_runs, counting_table, by_boundary, by_kind, plot_counting, HAND, train_lm)

VOCAB = list(load_nums()[0])

class Oracle(nn.Module):
    "A stateless 'language model' that scores the true next token of a count, said `offset` numbers later"
    def __init__(self, offset=1):
        super().__init__(); self.offset, self.w = offset, nn.Parameter(torch.zeros(1))
    def next_id(self, ids):
        segs = ' '.join(VOCAB[i] for i in ids).split('.')   # the numbers so far, then what is said of the next one
        prev, partial = [g for g in segs[:-1] if g.strip()][-1], segs[-1].split()
        target = num2words(words2num(prev) + self.offset).split() + ['.']
        return VOCAB.index(target[len(partial)])
    def forward(self, x):
        out = torch.zeros(x.shape[0], len(VOCAB))
        for r, ids in enumerate(x.tolist()): out[r, self.next_id(ids)] = 1.0
        return out

def test_split_numbers():
    train, valid = split_numbers()
    assert train[0] == 1 and 8000 not in train and set(train) & set(valid) == set()
    assert train[-1] < valid[0] and valid[-1] <= 9999 and len(train) + len(valid) >= 9990
    assert sorted(train) == train and sorted(valid) == valid

def test_prompts_and_targets():
    assert count_prompt(4, 3) == 'one . two . three .'
    assert count_targets([1, 2, 3, 4, 6, 7, 8, 9], 3) == [4, 9]
    with pytest.raises(ValueError, match='k must be'): count_targets([1, 2], 0)

def test_a_perfect_counter_scores_one_and_an_off_by_one_scores_zero():
    nums = count_targets(list(range(990, 1012)) + list(range(8995, 9003)), 3)
    perfect = count(Oracle(1), nums)
    assert perfect.correct.all() and (perfect.said_n == perfect.n).all()
    assert count_scores(perfect) == dict(exact=1.0, thousands=1.0, below=1.0)
    off = count(Oracle(2), nums)
    assert not off.correct.any() and (off.said_n == off.n + 1).all()
    kinds = [miss_kind(r.n, r.said_n) for r in off.itertuples()]
    assert kinds.count('thousands word') == 0 and 'both' in kinds and 'below the thousands' in kinds   # 999 -> 1,001 changes both

class Babbler(Oracle):
    "Says 'thousand thousand .' whatever the prompt: not a number"
    def next_id(self, ids):
        words = [VOCAB[i] for i in ids]
        return VOCAB.index('.' if words[-2:] == ['thousand', 'thousand'] else 'thousand')

def test_a_non_number_is_read_as_one():
    c = count(Babbler(), [2005, 2006])
    assert list(c.said) == ['thousand thousand'] * 2 and list(c.said_n) == [None, None] and not c.correct.any()
    assert [miss_kind(r.n, r.said_n) for r in c.itertuples()] == ['not a number'] * 2
    assert by_kind({('babbler', 0, 'valid'): c}).loc['not a number', 'babbler'] == 1.0
    assert count_scores(c) == dict(exact=0.0, thousands=0.0, below=0.0)

@pytest.mark.parametrize('kw,msg', [(dict(numbers=[]), 'at least one number'), (dict(k=0), 'k must be'), (dict(max_new=0), 'max_new must be')])
def test_count_bad_input(kw, msg):
    with pytest.raises(ValueError, match=msg): count(Oracle(1), **(dict(numbers=[2005]) | kw))

def test_kinds_and_boundaries():
    assert [boundary(n) for n in (1000, 1100, 1110, 1111)] == ['thousands', 'hundreds', 'tens', 'units']
    assert [miss_kind(5005, s) for s in (5005, 4005, 5006, 4006, None)] == ['right', 'thousands word', 'below the thousands', 'both', 'not a number']

def test_counting_runs_tables_and_plot():
    runs, counts = counting_runs(['rnn4'], seeds=1)
    assert list(runs.model) == ['rnn4'] and set(counts) == {('rnn4', 0, 'train'), ('rnn4', 0, 'valid')}
    r = runs.iloc[0]
    assert 0 <= r.counting_valid <= r.token_accuracy and r.valid_loss > 0
    table = counting_table(runs)
    assert re.match(r'\| rnn4 +\| +1 \| +' + f'{math.exp(r.valid_loss):.2f}', table.splitlines()[2]) and 'numbers right, validation' in table
    b = by_boundary(counts, 'train')
    assert list(b.index) == ['units', 'tens', 'hundreds', 'thousands'] and b.numbers.sum() == len(counts['rnn4', 0, 'train'])
    k = by_kind(counts)
    assert k['rnn4'].sum() == pytest.approx(1.0)
    ax = plot_counting(counts).axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    train_line, valid_line = ax.lines   # one model: its training part and its validation part, averaged apart
    assert max(train_line.get_xdata()) < min(valid_line.get_xdata()) and train_line.get_color() == valid_line.get_color()
    with pytest.raises(ValueError, match='seeds'): counting_runs(['rnn4'], seeds=0)

def test_hand_model_counts_through_the_same_path():
    m, acc, loss = train_lm(HAND, 0)
    assert acc > 0.4 and loss > 0
    c = count(m, [2005, 2006])
    assert list(c.columns) == ['n', 'target', 'said', 'correct', 'said_n']
