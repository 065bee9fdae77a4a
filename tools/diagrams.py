"""Draw the course's model diagrams as SVG files in nbs/images/: `python tools/diagrams.py` (or `--check`).

One visual notation in every figure, the fastai book's: a rectangle is an input, a circle a hidden state, a
triangle an output; an arrow's colour names the weight matrix it applies, so arrows of one colour share one
matrix. Plain SVG (no fonts or scripts to fetch): it renders in JupyterLab, on the docs site and on GitHub.
`--check` fails if a committed file differs from what this script draws."""
import sys
from functools import partial
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent/'nbs'/'images'
COLOURS = {'i_h': '#2e8b57', 'h_h': '#e07b00', 'h_o': '#1f5fbf', 'h_h2': '#8e44ad', 'h_12': '#5d6d7e',
           'add': '#999999', 'kept': '#999999', 'pick': '#c0392b', 'grad': '#c2185b', 'flow': '#555555',
           'cell': '#b03a2e', 'probe': '#6c3483', 'attn': '#00838f'}
MEANING = {'i_h': 'input to hidden (i_h)', 'h_h': 'hidden to hidden (h_h)', 'h_o': 'hidden to output (h_o)',
           'h_h2': 'hidden to hidden, layer 2', 'h_12': 'layer 1 to layer 2', 'add': 'added as it is (no weights)',
           'kept': 'kept state, detached (no gradient)', 'pick': 'the token picked, fed back as the next input',
           'grad': 'gradient, flowing back', 'flow': 'what each step hands to the next',
           'cell': 'the cell state: only scaled and added to (no matrix)',
           'probe': 'a linear probe: fit after training, the model never uses it',
           'attn': 'attention: each state scaled by its weight α, then summed'}
DASHED = {'kept', 'pick', 'grad', 'probe'}
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'

class _Items(list):
    "The drawing's SVG elements, each remembering the stage it was drawn in (`Fig.stage`)"
    def __init__(self, fig): super().__init__(); self.fig, self.stages = fig, []
    def append(self, item): super().append(item); self.stages.append(self.fig.stage)

class Fig:
    "An SVG drawing in the course's notation; `svg()` returns the text"
    def __init__(self, w, h, title, meaning=None, show=None):
        self.stage, self.show = 0, show   # with `show`, stages after it are drawn faint: a figure built step by step
        self.w, self.h, self.title, self.items, self.used = w, h, title, _Items(self), []
        self.meaning = {**MEANING, **(meaning or {})}   # what each colour means in this figure
    def _use(self, kind):
        if kind not in self.used: self.used.append(kind)
    def text(self, x, y, s, size=13, anchor='middle', colour='#222', italic=False):
        style = ' font-style="italic"' if italic else ''
        self.items.append(f'<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}" fill="{colour}"{style} {FONT}>{s}</text>')
    def inp(self, x, y, label, w=74, h=30):
        "An input: a rectangle centred on (x, y)"
        self.items.append(f'<rect x="{x - w/2}" y="{y - h/2}" width="{w}" height="{h}" rx="3" fill="#e8f5e9" stroke="#333"/>')
        self.text(x, y + 4.5, label, 12)
    def hid(self, x, y, label='', r=22):
        "A hidden state: a circle centred on (x, y)"
        self.items.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="#fff3e0" stroke="#333"/>')
        if label: self.text(x, y + 4.5, label, 12)
    def out(self, x, y, label='', s=26):
        "An output: a triangle centred on (x, y)"
        pts = f'{x},{y - s} {x - s},{y + s * .7} {x + s},{y + s * .7}'
        self.items.append(f'<polygon points="{pts}" fill="#e3f2fd" stroke="#333"/>')
        if label: self.text(x, y + 10, label, 11)
    def arrow(self, x1, y1, x2, y2, kind, bend=0):
        "An arrow from (x1, y1) to (x2, y2) coloured by `kind`: a weight matrix, 'add' or 'kept'"
        c = COLOURS[kind]; self._use(kind)
        dash = ' stroke-dasharray="6,4"' if kind in DASHED else ''
        mid = f'Q {(x1 + x2) / 2 + bend[0]},{(y1 + y2) / 2 + bend[1]} ' if bend else ''
        self.items.append(f'<path d="M {x1},{y1} {mid}{"" if bend else "L "}{x2},{y2}" fill="none" stroke="{c}" '
                          f'stroke-width="2.2"{dash} marker-end="url(#head-{kind})"/>')
    def plus(self, x, y, r=9):
        "Where two vectors are added: a small circle with a plus"
        self.items.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="white" stroke="#555"/>'
                          f'<path d="M {x - 5},{y} L {x + 5},{y} M {x},{y - 5} L {x},{y + 5}" stroke="#555" stroke-width="1.6"/>')
    def times(self, x, y, r=9):
        "Where two vectors are multiplied elementwise: a small circle with a cross"
        self.items.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="white" stroke="#555"/>'
                          f'<path d="M {x - 4},{y - 4} L {x + 4},{y + 4} M {x - 4},{y + 4} L {x + 4},{y - 4}" stroke="#555" stroke-width="1.6"/>')
    def box(self, x, y, label, w=62, h=30, fill='#fdebd0'):
        "A gate or a squashing function: a small rectangle centred on (x, y)"
        self.items.append(f'<rect x="{x - w/2}" y="{y - h/2}" width="{w}" height="{h}" rx="8" fill="{fill}" stroke="#333"/>')
        self.text(x, y + 4.5, label, 12)
    def svg(self):
        heads = ''.join(f'<marker id="head-{k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
                        f'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{COLOURS.get(k, "#888")}"/></marker>'
                        for k in COLOURS)
        rows, x = [[]], 12   # legend items, wrapped into rows that fit the width
        for k in sorted(self.used, key=list(COLOURS).index):   # the same order in every figure
            step = 44 + 6.6 * len(self.meaning[k])
            if x + step > self.w and rows[-1]: rows.append([]); x = 12
            rows[-1].append((x, k)); x += step
        legend, h = [], self.h + 18 * (len(rows) - 1)   # the figure grows by one line per extra legend row
        for r, row in enumerate(rows):
            y = self.h - 12 + 18 * r
            for x, k in row:
                dash = ' stroke-dasharray="6,4"' if k in DASHED else ''
                legend.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 26}" y2="{y - 4}" stroke="{COLOURS[k]}" '
                              f'stroke-width="2.2"{dash} marker-end="url(#head-{k})"/><text x="{x + 32}" y="{y}" font-size="11" fill="#333" {FONT}>{self.meaning[k]}</text>')
        faint = lambda i, st: i if self.show is None or st <= self.show else f'<g opacity="0.15">{i}</g>'
        body = '\n'.join([faint(i, st) for i, st in zip(self.items, self.items.stages)] + legend)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.w}" height="{h}" viewBox="0 0 {self.w} {h}" '
                f'role="img" aria-label="{self.title}">\n<title>{self.title}</title>\n<defs>{heads}</defs>\n'
                f'<rect width="100%" height="100%" fill="white"/>\n{body}\n</svg>\n')

def steps(f, x0, n, y_h=95, y_p=165, y_i=230, gap=120, words=None, first=1, outputs='last', kept_in=False):
    "`n` steps of RNN1 to RNN4: word t's embedding and the last state are added (+), then go through `h_h` and a ReLU"
    xs = [x0 + i * gap for i in range(n)]
    for i, x in enumerate(xs):
        f.inp(x, y_i, (words or [f'word {k + first}' for k in range(n)])[i])
        f.arrow(x, y_i - 15, x, y_p + 10, 'i_h'); f.plus(x, y_p)
        f.arrow(x, y_p - 10, x, y_h + 23, 'h_h'); f.hid(x, y_h, f'h{i + first}')
        if i: f.arrow(xs[i - 1] + 17, y_h + 15, x - 8, y_p - 6, 'add')
        if outputs == 'each': f.arrow(x, y_h - 23, x, y_h - 47, 'h_o'); f.out(x, y_h - 67)
    if kept_in: f.arrow(xs[0] - 80, y_h + 15, xs[0] - 8, y_p - 6, 'kept')
    if outputs == 'last':
        f.arrow(xs[-1] + 23, y_h, xs[-1] + 70, y_h, 'h_o'); f.out(xs[-1] + 97, y_h + 4)
        f.text(xs[-1] + 97, y_h + 44, 'next word', 11)
    return xs

def rnn1():
    f = Fig(600, 300, 'RNN1: three words in, one out. The same matrices at every step.')
    f.text(300, 24, 'RNN1: one hidden layer used three times', 14)
    steps(f, 90, 3)
    f.text(300, 268, 'each word is added to the state, then h_h and a ReLU; h_o reads the last state', 11, italic=True)
    return f

def rnn2():
    f = Fig(600, 300, 'RNN2: the same model written as a loop over the words.')
    f.text(300, 24, 'RNN2: the loop', 14)
    f.inp(250, 230, 'word t'); f.arrow(250, 215, 250, 175, 'i_h'); f.plus(250, 165)
    f.arrow(250, 155, 250, 118, 'h_h'); f.hid(250, 95, 'h')
    f.arrow(270, 105, 259, 160, 'add', bend=(45, 15))
    f.arrow(273, 95, 358, 95, 'h_o'); f.out(385, 99)
    f.text(385, 139, 'next word', 11)
    f.text(300, 52, 'repeat for t = 1, 2, 3; h starts at 0', 11, anchor='start', italic=True)
    return f

def rnn3():
    f = Fig(980, 310, 'RNN3: the state is kept from one batch to the next and detached between them.')
    f.text(490, 24, 'RNN3: the state carries over from batch k to batch k+1', 14)
    a = steps(f, 130, 3, kept_in=True)
    b = steps(f, 560, 3, first=4)
    f.arrow(a[-1] + 12, 75, b[0] - 8, 158, 'kept', bend=(60, -90))
    f.text(a[1], 268, 'batch k', 12); f.text(b[1], 268, 'batch k+1: row i continues row i of batch k', 12)
    return f

def rnn4():
    f = Fig(700, 320, 'RNN4: a prediction after every word.')
    f.text(350, 22, 'RNN4: an output at every step', 14)
    xs = steps(f, 170, 3, y_h=125, y_p=195, y_i=255, gap=150, outputs='each', kept_in=True)
    for x, w in zip(xs, ('word 2', 'word 3', 'word 4')): f.text(x + 32, 66, f'predicts {w}', 10, anchor='start')
    f.text(xs[-1] + 110, 130, '… up to t = 16', 12)
    return f

def stacked():
    f = Fig(760, 400, 'Two stacked layers of nn.RNN: layer 2 reads the states of layer 1.',
            meaning={'i_h': 'embedding, then W_ih', 'h_h': 'W_hh, layer 1', 'h_12': 'W_ih, layer 2', 'h_h2': 'W_hh, layer 2'})
    f.text(380, 22, 'Two stacked layers: layer 2 reads the states of layer 1', 14)
    xs = [200 + 170 * i for i in range(3)]
    for i, x in enumerate(xs):
        f.inp(x, 325, f'word {i + 1}'); f.arrow(x, 310, x, 268, 'i_h'); f.hid(x, 245, f'h{i + 1}')
        f.arrow(x, 222, x, 163, 'h_12'); f.hid(x, 140, f'g{i + 1}')
        if i: f.arrow(xs[i - 1] + 23, 245, x - 23, 245, 'h_h'); f.arrow(xs[i - 1] + 23, 140, x - 23, 140, 'h_h2')
        f.arrow(x, 117, x, 88, 'h_o'); f.out(x, 66)
    f.text(380, 365, 'each arrow is a matrix product; a circle sums what comes in, then applies the nonlinearity', 11, italic=True)
    return f

def batches():
    f = Fig(640, 330, 'group_chunks: the stream cut into one chunk per row; batch k holds item k of every chunk.')
    f.text(320, 22, 'Reordered batches: row i of each batch continues row i of the batch before', 14)
    fills = ['#e8f5e9', '#fff3e0', '#e3f2fd']
    box = lambda x, y, i: (f.items.append(f'<rect x="{x - 17}" y="{y - 13}" width="34" height="26" rx="3" '
                                          f'fill="{fills[i // 4]}" stroke="#333"/>'), f.text(x, y + 4.5, str(i), 12))
    f.text(20, 62, 'the stream of 12 items, cut into 3 chunks:', 12, anchor='start')
    for i in range(12): box(60 + 44 * i + 14 * (i // 4), 90, i)
    for b in range(4):
        x = 150 + 110 * b
        f.text(x, 140, f'batch {b}', 12)
        for r in range(3):
            box(x, 170 + 40 * r, b + 4 * r)
            if b: f.arrow(x - 110 + 19, 170 + 40 * r, x - 19, 170 + 40 * r, 'kept')
    for r in range(3): f.text(95, 174 + 40 * r, f'row {r}', 12, anchor='end')
    return f

def generation():
    f = Fig(700, 330, 'Generation: read the prompt, then feed each picked word back in as the next input.')
    f.text(350, 22, 'Generation: each picked word becomes the next input', 14)
    xs = steps(f, 110, 4, y_h=140, y_p=205, y_i=265, gap=150, words=['two', '.', 'three', '.'], outputs='each')
    for a, b in zip(xs[1:], xs[2:]): f.arrow(a + 22, 80, b - 30, 250, 'pick')
    f.text(xs[0] + 75, 300, 'the prompt, read', 11, italic=True); f.text(xs[2] + 75, 300, 'the words generated', 11, italic=True)
    return f

def bptt():
    f = Fig(700, 330, "Backpropagation through time in 09's tanh RNN: gradients flow from each output into its state, and back along the states.",
            meaning={'h_h': 'hidden to hidden (W_hh)', 'i_h': 'embedding (E)', 'h_o': 'hidden to output (W_hy)',
                     'add': 'no weights: the sum, then tanh'})
    f.text(350, 22, 'Backpropagation through time (the tanh RNN of this lesson)', 14)
    xs = [130 + 200 * i for i in range(3)]
    for i, x in enumerate(xs):
        f.inp(x, 270, f'word {i + 1}'); f.arrow(x, 255, x, 220, 'i_h'); f.plus(x, 210)
        f.arrow(x, 200, x, 163, 'add'); f.hid(x, 140, f'h{i + 1}')
        if i: f.arrow(xs[i - 1] + 17, 155, x - 8, 204, 'h_h')
        f.arrow(x, 117, x, 93, 'h_o'); f.out(x, 73)
        f.arrow(x - 14, 50, x - 14, 118, 'grad')   # from the loss at each output into its state
        if i: f.arrow(x - 24, 128, xs[i - 1] + 24, 128, 'grad')   # from each state back into the one before
    f.text(xs[-1] + 40, 60, 'loss at each step', 11, anchor='start', italic=True)
    return f

def bidirectional():
    f = Fig(760, 360, 'A bidirectional GRU: one direction reads left to right, the other right to left; the head reads both final states.',
            meaning={'i_h': 'embedding, into each direction', 'h_h': 'forward direction', 'h_h2': 'backward direction',
                     'h_o': 'the head, on both final states'})
    f.text(380, 22, 'A bidirectional layer reads both ends of the number', 14)
    xs = [140 + 170 * i for i in range(3)]
    for i, (x, w) in enumerate(zip(xs, ('seven', 'thousand', 'two'))):
        f.inp(x, 300, w)
        f.arrow(x - 10, 285, x - 10, 243, 'i_h'); f.hid(x, 220, f'→h{i + 1}')
        f.arrow(x + 32, 285, x + 17, 137, 'i_h'); f.hid(x, 120, f'←h{i + 1}')
        if i: f.arrow(xs[i - 1] + 23, 220, x - 23, 220, 'h_h'); f.arrow(x - 23, 120, xs[i - 1] + 23, 120, 'h_h2')
    f.out(690, 170); f.text(690, 212, 'class', 11)
    f.arrow(xs[-1] + 23, 212, 662, 178, 'h_o'); f.arrow(xs[0] + 8, 99, 662, 160, 'h_o', bend=(0, -90))
    return f

def counting():
    f = Fig(860, 300, 'The counting test: three numbers as the prompt, the next number as the answer; its thousands word is usually in the prompt.',
            meaning={'h_o': 'what the model says, greedily, up to the next "."'})
    f.text(430, 22, 'The counting test: copy the thousands word, or carry into it', 14)
    hl = '<tspan fill="#1f5fbf" font-weight="bold">{}</tspan>'
    def line(y, prompt, said, note):
        f.items.append(f'<rect x="20" y="{y - 20}" width="520" height="34" rx="4" fill="#e8f5e9" stroke="#333"/>')
        f.text(30, y + 2, prompt, 12, anchor='start')
        f.arrow(545, y - 3, 600, y - 3, 'h_o')
        f.items.append(f'<rect x="605" y="{y - 20}" width="235" height="34" rx="4" fill="#e3f2fd" stroke="#333"/>')
        f.text(615, y + 2, said, 12, anchor='start')
        f.text(30, y + 34, note, 11, anchor='start', italic=True)
    line(90, f"{hl.format('four thousand')} one hundred two . … {hl.format('four thousand')} one hundred four .",
         f"{hl.format('four thousand')} one hundred five", 'copy: the thousands word stands in the prompt (every validation target but one)')
    line(190, 'eight thousand nine hundred ninety seven . … eight thousand nine hundred ninety nine .',
         f"{hl.format('nine thousand')}", 'carry: the thousands word is not in the prompt (in validation, only 9000)')
    return f

def noise():
    f = Fig(700, 270, 'The rule for noise: two models differ clearly only when their means are further apart than the sum of their standard deviations.')
    f.text(350, 22, 'The rule for noise: |mean A − mean B| > std A + std B', 14)
    X = lambda v: 120 + (v - 0.6) * 1600   # accuracy 0.6 to 0.9 across the figure
    def model(y, name, m, sd, fill):
        f.items.append(f'<line x1="{X(m - sd)}" y1="{y}" x2="{X(m + sd)}" y2="{y}" stroke="#333" stroke-width="2"/>'
                       f'<line x1="{X(m - sd)}" y1="{y - 7}" x2="{X(m - sd)}" y2="{y + 7}" stroke="#333" stroke-width="2"/>'
                       f'<line x1="{X(m + sd)}" y1="{y - 7}" x2="{X(m + sd)}" y2="{y + 7}" stroke="#333" stroke-width="2"/>'
                       f'<circle cx="{X(m)}" cy="{y}" r="6" fill="{fill}" stroke="#333"/>')
        f.text(110, y + 4, f'{name}: {m:.2f} ± {sd:.2f}', 12, anchor='end')
    model(65, 'x', 0.80, 0.01, '#e3f2fd'); model(95, 'y', 0.70, 0.02, '#fff3e0')
    f.text(X(0.75), 125, 'gap 0.10 > 0.01 + 0.02: clearly differs', 12)
    model(165, 'x', 0.80, 0.01, '#e3f2fd'); model(195, 'z', 0.75, 0.05, '#fff3e0')
    f.text(X(0.75), 225, 'gap 0.05 &lt; 0.01 + 0.05: within noise', 12)
    for v in (0.6, 0.7, 0.8, 0.9):
        f.items.append(f'<line x1="{X(v)}" y1="240" x2="{X(v)}" y2="246" stroke="#555"/>'); f.text(X(v), 260, f'{v:.1f}', 11)
    f.items.append(f'<line x1="{X(0.6)}" y1="240" x2="{X(0.9)}" y2="240" stroke="#555"/>')
    f.text(X(0.9) + 10, 244, 'accuracy', 11, anchor='start')
    return f

def training():
    f = Fig(900, 300, 'The training path: train_model builds the data and the model into a fastai Learner, fits it with the one-cycle schedule, and reports results.')
    f.text(450, 22, 'One way to train them all: train_model', 14)
    boxes = [(90, 'get_dls(kind)', '#e8f5e9'), (250, 'the model', '#fff3e0'), (450, 'lm_learner', '#fff3e0'),
             (650, 'fit_one_cycle', '#fff3e0'), (815, 'results', '#e3f2fd')]
    for x, label, fill in boxes:
        f.items.append(f'<rect x="{x - 70}" y="55" width="140" height="40" rx="5" fill="{fill}" stroke="#333"/>')
        f.text(x, 80, label, 12)
    for (a, _, _), (b, _, _) in zip(boxes, boxes[1:]): f.arrow(a + 70, 75, b - 72, 75, 'flow')
    f.text(450, 125, 'the Learner: loss lm_loss, metric accuracy, and callbacks', 12)
    cbs = [('EpochTimer', 'seconds and tokens per epoch'), ('StopOnNaN', 'stops a run whose loss is not finite'),
           ('ModelResetter', 'reset() before training and validation'), ('GradientClip, ...', 'from the recipe, or passed as cbs=')]
    for i, (name, what) in enumerate(cbs):
        y = 160 + 28 * i
        f.items.append(f'<rect x="300" y="{y - 16}" width="130" height="24" rx="3" fill="white" stroke="#555"/>')
        f.text(365, y + 1, name, 11); f.text(445, y + 1, what, 11, anchor='start', italic=True)
    return f

GATE_MEANING = {'h_h': "a gate's own weights: W·[xₜ, hₜ₋₁] + b", 'add': 'a vector passed on, no weights'}

LSTM_STEPS = ['the gates i, f and o read the input and the last hidden state', 'the candidate g, in (−1, 1)',
              'the cell state: f scales the old one, i ⊙ g is added', 'the hidden state: o scales tanh of the cell state']

def lstm_cell(show=None):
    "The LSTM cell; with `show` = k, steps after k of `LSTM_STEPS` are drawn faint"
    title = 'The LSTM cell: four gates read the input and the last hidden state; the cell state is only scaled by f and added to.'
    head = 'The LSTM cell: the cell state c runs along the top, scaled and added to'
    if show: title = head = f'The LSTM, step {show} of {len(LSTM_STEPS)}: {LSTM_STEPS[show - 1]}'
    f = Fig(760, 470, title, meaning=GATE_MEANING, show=show)
    f.text(380, 22, head, 14)
    f.hid(70, 320, 'hₜ₋₁'); f.inp(340, 330, '[xₜ, hₜ₋₁]', w=110); f.inp(340, 410, 'xₜ')
    f.arrow(92, 320, 283, 328, 'add'); f.arrow(340, 395, 340, 347, 'add')
    gates = {'f': (210, 'f: σ'), 'i': (300, 'i: σ'), 'g': (390, 'g: tanh'), 'o': (520, 'o: σ')}
    for k in ('f', 'i', 'g', 'o'):
        x, label = gates[k]
        f.stage = 2 if k == 'g' else 1
        f.arrow(340 + (x - 340) * 0.25, 314, x, 257, 'h_h'); f.box(x, 240, label)
    f.stage = 3
    f.hid(70, 80, 'cₜ₋₁'); f.hid(690, 80, 'cₜ')
    f.arrow(92, 80, 200, 80, 'cell'); f.times(210, 80); f.arrow(220, 80, 380, 80, 'cell'); f.plus(390, 80)
    f.arrow(400, 80, 667, 80, 'cell')
    f.arrow(210, 225, 210, 91, 'add')                       # f scales the old cell state
    f.times(345, 160); f.arrow(300, 225, 339, 168, 'add'); f.arrow(390, 225, 351, 168, 'add')
    f.arrow(350, 151, 385, 90, 'add')                       # i ⊙ g is added to it
    f.text(690, 120, 'to the next step', 11, italic=True)
    f.stage = 4
    f.hid(690, 320, 'hₜ')
    f.arrow(600, 80, 600, 133, 'cell'); f.box(600, 150, 'tanh', w=50)
    f.times(600, 240); f.arrow(600, 165, 600, 229, 'add'); f.arrow(551, 240, 589, 240, 'add')
    f.arrow(606, 248, 673, 305, 'add')                      # hₜ = o ⊙ tanh(cₜ)
    f.text(740, 360, 'to the output and the next step', 11, anchor='end', italic=True)
    return f

GRU_STEPS = ['the reset gate r and the update gate z read the input and the last state',
             'the candidate n: r scales the hidden part, after its product with W_hn',
             'the new state: z keeps the old one, 1 − z takes the candidate']

def gru_cell(show=None):
    "The GRU cell; with `show` = k, steps after k of `GRU_STEPS` are drawn faint"
    title = 'The GRU cell: two gates and a candidate; the new state is a mix of the old state and the candidate, weighted by z.'
    head = 'The GRU cell: the state h runs along the top, mixed with a candidate n'
    if show: title = head = f'The GRU, step {show} of {len(GRU_STEPS)}: {GRU_STEPS[show - 1]}'
    f = Fig(760, 470, title, show=show,
            meaning=GATE_MEANING | {'cell': 'the state: only scaled and added to (no matrix)', 'i_h': 'W_in xₜ + b_in',
                                     'h_h2': 'W_hn hₜ₋₁ + b_hn (then scaled by r)'})
    f.text(380, 22, head, 14 if not show else 13)
    f.hid(70, 200, 'hₜ₋₁'); f.inp(340, 345, '[xₜ, hₜ₋₁]', w=110); f.inp(340, 420, 'xₜ')
    f.arrow(88, 214, 283, 340, 'add'); f.arrow(340, 405, 340, 362, 'add')
    f.stage = 1
    for x, label in ((300, 'z: σ'), (390, 'r: σ')):
        f.arrow(340 + (x - 340) * 0.4, 329, x, 257, 'h_h'); f.box(x, 240, label)
    f.stage = 2
    f.box(470, 240, 'n: tanh'); f.times(470, 320); f.arrow(405, 255, 462, 313, 'add'); f.arrow(92, 206, 460, 322, 'h_h2')
    f.arrow(470, 311, 470, 257, 'add'); f.arrow(377, 413, 458, 258, 'i_h')
    f.stage = 3
    f.hid(690, 80, 'hₜ')
    f.arrow(86, 184, 292, 86, 'cell'); f.times(300, 80); f.arrow(310, 80, 460, 80, 'cell'); f.plus(470, 80)
    f.arrow(480, 80, 667, 80, 'cell')
    f.arrow(300, 225, 300, 91, 'add')                       # z keeps the old state
    f.box(390, 160, '1 − z', w=50); f.arrow(312, 225, 375, 176, 'add')
    f.times(470, 160); f.arrow(470, 225, 470, 171, 'add'); f.arrow(415, 160, 459, 160, 'add')
    f.arrow(470, 151, 470, 91, 'add')                       # (1 − z) ⊙ n is added
    f.text(740, 120, 'to the output and the next step', 11, anchor='end', italic=True)
    return f

def grid(f, x0, y0, rows, cols, dropped, label_rows='', label_cols='', size=20):
    "A matrix of `rows` × `cols` squares at (x0, y0); the squares in `dropped` ({(r, c)}) are zeroed (grey, with a 0)"
    for r in range(rows):
        for c in range(cols):
            x, y, off = x0 + c * size, y0 + r * size, (r, c) in dropped
            f.items.append(f'<rect x="{x}" y="{y}" width="{size}" height="{size}" fill="{"#bdbdbd" if off else "#fff3e0"}" stroke="#777"/>')
            if off: f.text(x + size / 2, y + size / 2 + 4, '0', 10, colour='#555')
    f.text(x0 + cols * size / 2, y0 + rows * size + 16, label_cols, 11)
    f.text(x0 - 8, y0 + rows * size / 2 + 4, label_rows, 11, anchor='end')

def dropout_kinds():
    f = Fig(880, 300, 'Four kinds of dropout: which entries each one zeroes, for one sequence of a batch.')
    f.text(440, 22, 'What each kind of dropout zeroes (grey), for one sequence', 14)
    T, U = 6, 5                                     # time steps, units (or words)
    scattered = {(0, 1), (1, 3), (2, 0), (2, 4), (3, 2), (4, 1), (5, 3), (5, 0)}
    panels = [('dropout', 'a new mask at every step', scattered, 'steps', 'units'),
              ('one mask per sequence', 'the same units at every step', {(r, c) for r in range(T) for c in (1, 3)}, 'steps', 'units'),
              ('embedding dropout', 'whole words, wherever they occur', {(r, c) for r in (2, 4) for c in range(U)}, 'words', 'embedding'),
              ('weight drop', 'W_hh entries, same at every step', {(0, 2), (1, 4), (3, 0), (4, 3)}, 'W_hh', '')]
    for k, (name, what, dropped, lr, lc) in enumerate(panels):
        x0 = 80 + 200 * k
        f.text(x0 + 50, 62, name, 13); f.text(x0 + 50, 80, what, 10, italic=True)
        grid(f, x0, 100, T if k < 3 else U, U, dropped, lr, lc)
    f.text(440, 270, 'the entries kept are scaled by 1/(1 − p), so each keeps its expected value', 11, italic=True)
    return f

def weight_tying():
    f = Fig(640, 280, 'Weight tying: the embedding E reads a word in, and the output layer uses the same matrix, transposed, to score every word.',
            meaning={'i_h': 'E, the one matrix: a row per word in, Eᵀ out', 'h_h': 'the recurrent layers'})
    f.text(320, 22, 'Weight tying: one matrix for the embedding and the output layer', 14)
    f.inp(90, 140, 'word w'); f.arrow(127, 140, 207, 140, 'i_h'); f.hid(230, 140, 'h')
    f.arrow(240, 119, 222, 118, 'h_h', bend=(10, -45))
    f.arrow(253, 140, 397, 140, 'i_h'); f.out(425, 146)
    f.text(320, 128, 'scores = h Eᵀ + b', 11); f.text(165, 128, 'row w of E', 11)
    f.text(425, 190, 'a score per word', 11)
    f.text(320, 225, 'the same tensor, not a copy: every gradient of the output layer trains the embedding too', 11, italic=True)
    return f

def probe():
    f = Fig(780, 330, 'A linear probe reads the hidden state after training: can a straight line through the state tell what the model did not say?')
    f.text(390, 22, 'Probing the state: what does h know at each step?', 14)
    words, xs = ['hundred', 'ninety', 'nine', '.'], [80, 200, 320, 440]
    for i, (x, w) in enumerate(zip(xs, words)):
        f.inp(x, 285, w); f.arrow(x, 270, x, 237, 'i_h'); f.hid(x, 215, f'h{i + 1}')
        if i: f.arrow(xs[i - 1] + 22, 215, x - 22, 215, 'h_h')
        f.arrow(x, 193, x, 160, 'h_o'); f.out(x, 138)
    f.text(xs[-1], 104, 'next word: "nine"?', 11)
    f.arrow(xs[-1] + 22, 207, 556, 150, 'probe'); f.box(600, 150, 'probe', w=84)
    f.text(650, 146, 'thousands digit:', 11, anchor='start'); f.text(650, 162, '8 or 9?', 11, anchor='start')
    f.arrow(xs[-1] + 22, 222, 556, 250, 'probe'); f.box(600, 250, 'probe', w=84)
    f.text(650, 246, "the next token's", 11, anchor='start'); f.text(650, 262, 'role?', 11, anchor='start')
    f.text(30, 60, "the model is frozen: only the probe's weights are fit, on the states it leaves", 11, anchor='start', italic=True)
    return f

def encoder_row(f, x0, gap, y, words, dy=90):
    "An encoder over `words`: each input `dy` below its state, the states chained left to right; returns the xs"
    xs = [x0 + gap * i for i in range(len(words))]
    for i, (x, w) in enumerate(zip(xs, words)):
        f.inp(x, y + dy, w); f.arrow(x, y + dy - 15, x, y + 22, 'i_h'); f.hid(x, y, f'h{i + 1}')
        if i: f.arrow(xs[i - 1] + 22, y, x - 22, y, 'h_h')
    return xs

def seq2seq():
    f = Fig(900, 350, "An encoder-decoder: the encoder reads the words; its final state starts the decoder, which writes one digit at a time and reads each back in.",
            meaning={'h_h': 'encoder, step to step', 'h_h2': 'decoder, step to step', 'flow': "the encoder's final state: the decoder's start and its context"})
    f.text(430, 22, 'Sequence to sequence: words in, digits out', 14)
    xs = encoder_row(f, 80, 120, 200, ('eight', 'thousand', 'two'))
    ds = [460 + 95 * i for i in range(5)]
    for i, (x, w, o) in enumerate(zip(ds, ('xxbos', '8', '0', '0', '2'), ('8', '0', '0', '2', 'xxeos'))):
        f.inp(x, 290, w, w=62); f.arrow(x, 275, x, 222, 'i_h'); f.hid(x, 200, f's{i + 1}')
        if i: f.arrow(ds[i - 1] + 22, 200, x - 22, 200, 'h_h2')
        f.arrow(x, 177, x, 140, 'h_o'); f.out(x, 118, o)
        if i < 4: f.arrow(x + 16, 108, ds[i + 1] - 12, 274, 'pick')
    f.arrow(xs[-1] + 22, 200, ds[0] - 22, 200, 'flow')
    f.text(xs[1], 70, 'encoder', 13, italic=True); f.text(ds[2], 70, 'decoder', 13, italic=True)
    return f

def attention():
    f = Fig(860, 360, "Attention: at each decoder step, a weight per source word; the context is the weighted sum of the encoder's states, read afresh at every step.",
            meaning={'h_h': 'encoder, step to step', 'h_h2': 'decoder, step to step', 'flow': 'the decoder state asks: which word now?'})
    f.text(430, 22, 'Attention: the decoder picks which words to read at each step', 14)
    xs = encoder_row(f, 90, 130, 230, ('eight', 'thousand', 'one', 'hundred', 'two'), dy=70)
    f.plus(400, 120); f.text(425, 116, 'context c₂', 12, anchor='start')
    for x, a in zip(xs, ('0.02', '0.05', '0.88', '0.03', '0.02')):
        f.arrow(x, 208, 400 + (x - 400) * 0.04, 131, 'attn'); f.text(x + (400 - x) * 0.35 + 4, 176, f'α={a}', 11, anchor='start')
    f.hid(690, 120, 's₂'); f.arrow(409, 120, 666, 120, 'attn')
    f.hid(560, 72, 's₁'); f.arrow(582, 76, 668, 112, 'h_h2'); f.arrow(540, 82, 412, 114, 'flow')
    f.arrow(712, 120, 760, 120, 'h_o'); f.out(790, 124, '1')
    f.text(590, 50, 'the decoder state that wrote "8"', 11, anchor='start', italic=True)
    return f

FIGURES = {'seq2seq': seq2seq, 'attention': attention, 'probe': probe, **{f'lstm_step{k}': partial(lstm_cell, k) for k in (1, 2, 3)},
           **{f'gru_step{k}': partial(gru_cell, k) for k in (1, 2)}, 'dropout_kinds': dropout_kinds, 'weight_tying': weight_tying, 'lstm_cell': lstm_cell, 'gru_cell': gru_cell, 'training': training, 'noise': noise, 'counting': counting, 'bidirectional': bidirectional, 'bptt': bptt, 'generation': generation, 'batches': batches, 'rnn1_unrolled': rnn1, 'rnn2_loop': rnn2, 'rnn3_state': rnn3, 'rnn4_many': rnn4, 'stacked': stacked}

def draw_all(out:Path=OUT)->dict:
    "Every figure's SVG text, by file name"
    return {f'{name}.svg': fig().svg() for name, fig in FIGURES.items()}

if __name__ == '__main__':
    OUT.mkdir(parents=True, exist_ok=True)
    stale = []
    for name, svg in draw_all().items():
        fn = OUT/name
        if '--check' in sys.argv:
            if not fn.exists() or fn.read_text() != svg: stale.append(name)
        else: fn.write_text(svg)
    if stale: sys.exit(f'nbs/images differs from tools/diagrams.py for {stale}: run python tools/diagrams.py and commit')
