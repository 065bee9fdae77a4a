"""Draw the course's model diagrams as SVG files in nbs/images/: `python tools/diagrams.py` (or `--check`).

One visual notation in every figure, the fastai book's: a rectangle is an input, a circle a hidden state, a
triangle an output; an arrow's colour names the weight matrix it applies, so arrows of one colour share one
matrix. Plain SVG (no fonts or scripts to fetch): it renders in JupyterLab, on the docs site and on GitHub.
`--check` fails if a committed file differs from what this script draws."""
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent/'nbs'/'images'
COLOURS = {'i_h': '#2e8b57', 'h_h': '#e07b00', 'h_o': '#1f5fbf', 'h_h2': '#8e44ad', 'h_12': '#7f8c8d'}
MEANING = {'i_h': 'input to hidden (i_h)', 'h_h': 'hidden to hidden (h_h)', 'h_o': 'hidden to output (h_o)',
           'h_h2': 'hidden to hidden, layer 2', 'h_12': 'layer 1 to layer 2'}
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'

class Fig:
    "An SVG drawing in the course's notation; `svg()` returns the text"
    def __init__(self, w, h, title):
        self.w, self.h, self.title, self.items, self.used = w, h, title, [], []
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
    def arrow(self, x1, y1, x2, y2, kind, dashed=False, bend=0):
        "An arrow from (x1, y1) to (x2, y2) coloured by the weight matrix `kind` (None: grey, no matrix)"
        c = COLOURS.get(kind, '#888'); kind and self._use(kind)
        dash = ' stroke-dasharray="6,4"' if dashed else ''
        mid = f'Q {(x1 + x2) / 2 + bend[0]},{(y1 + y2) / 2 + bend[1]} ' if bend else ''
        self.items.append(f'<path d="M {x1},{y1} {mid}{"" if bend else "L "}{x2},{y2}" fill="none" stroke="{c}" '
                          f'stroke-width="2.2"{dash} marker-end="url(#head-{kind or "none"})"/>')
    def svg(self):
        heads = ''.join(f'<marker id="head-{k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
                        f'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{COLOURS.get(k, "#888")}"/></marker>'
                        for k in [*COLOURS, 'none'])
        rows, x = [[]], 12   # legend items, wrapped into rows that fit the width
        for k in sorted(self.used, key=list(COLOURS).index):   # the same order in every figure
            step = 44 + 6.6 * len(MEANING[k])
            if x + step > self.w and rows[-1]: rows.append([]); x = 12
            rows[-1].append((x, k)); x += step
        legend = []
        for r, row in enumerate(rows):
            y = self.h - 12 - 18 * (len(rows) - 1 - r)
            for x, k in row:
                legend.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 26}" y2="{y - 4}" stroke="{COLOURS[k]}" stroke-width="2.2" '
                              f'marker-end="url(#head-{k})"/><text x="{x + 32}" y="{y}" font-size="11" fill="#333" {FONT}>{MEANING[k]}</text>')
        body = '\n'.join(self.items + legend)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.w}" height="{self.h}" viewBox="0 0 {self.w} {self.h}" '
                f'role="img" aria-label="{self.title}">\n<title>{self.title}</title>\n<defs>{heads}</defs>\n'
                f'<rect width="100%" height="100%" fill="white"/>\n{body}\n</svg>\n')

def unrolled(f, x0, n, y_h=120, y_i=205, gap=120, words=None, outputs='last', out_label='next word', first=1):
    "`n` steps of one recurrent layer from x0: inputs below, states in a row, outputs by `outputs` ('last', 'each')"
    xs = [x0 + i * gap for i in range(n)]
    for i, x in enumerate(xs):
        f.inp(x, y_i, (words or [f'word {k + 1}' for k in range(n)])[i])
        f.arrow(x, y_i - 15, x, y_h + 23, 'i_h')
        f.hid(x, y_h, f'h{i + first}')
        if i: f.arrow(xs[i - 1] + 23, y_h, x - 23, y_h, 'h_h')
        if outputs == 'each':
            f.arrow(x, y_h - 23, x, y_h - 52, 'h_o'); f.out(x, y_h - 72, '')
    if outputs == 'last':
        f.arrow(xs[-1] + 23, y_h, xs[-1] + 78, y_h, 'h_o'); f.out(xs[-1] + 105, y_h + 4)
        f.text(xs[-1] + 105, y_h + 48, out_label, 11)
    return xs

def rnn1():
    f = Fig(600, 290, 'RNN1: three words in, one out. The same three matrices at every step.')
    unrolled(f, 70, 3)
    f.text(300, 28, 'RNN1: one hidden layer used three times', 14)
    f.text(300, 250, 'the state h starts as word 1; each later word is added before the same h_h step', 11, italic=True)
    return f

def rnn2():
    f = Fig(600, 290, 'RNN2: the same model written as a loop over the words.')
    f.text(300, 28, 'RNN2: the loop', 14)
    f.inp(250, 205, 'word t'); f.arrow(250, 190, 250, 143, 'i_h')
    f.hid(250, 120, 'h')
    f.arrow(265, 103, 235, 103, 'h_h', bend=(0, -75))
    f.arrow(273, 120, 358, 120, 'h_o'); f.out(385, 124)
    f.text(385, 168, 'next word', 11)
    f.text(290, 70, 'repeat for t = 1, 2, 3', 11, anchor='start', italic=True)
    f.text(300, 250, 'h starts at 0 for every item; the output is read after the last word', 11, italic=True)
    return f

def rnn3():
    f = Fig(920, 300, 'RNN3: the state is kept from one batch to the next and detached between them.')
    f.text(460, 28, 'RNN3: the state carries over from batch k to batch k+1', 14)
    a = unrolled(f, 60, 3, words=['word 1', 'word 2', 'word 3'])
    b = unrolled(f, 490, 3, words=['word 4', 'word 5', 'word 6'], first=4)
    f.arrow(a[-1] + 12, 100, b[0] - 12, 100, None, dashed=True, bend=(0, -50))
    f.text((a[-1] + b[0]) / 2, 52, 'kept values, no gradient (detach)', 11)
    f.text(a[1], 250, 'batch k', 12); f.text(b[1], 250, 'batch k+1: row i continues row i of batch k', 12)
    return f

def rnn4():
    f = Fig(620, 300, 'RNN4: a prediction after every word.')
    f.text(310, 22, 'RNN4: an output at every step', 14)
    unrolled(f, 110, 3, y_h=150, y_i=235, gap=170, outputs='each')
    for x, w in zip((110, 280, 450), ('word 2', 'word 3', 'word 4')): f.text(x + 40, 95, f'predicts {w}', 10, anchor='start')
    return f

def stacked():
    f = Fig(760, 395, 'A two-layer RNN: layer 2 reads the states of layer 1.')
    f.text(380, 22, 'Two stacked layers: layer 2 reads the states of layer 1', 14)
    xs = unrolled(f, 200, 3, y_h=245, y_i=325, gap=170, outputs=None)
    for i, x in enumerate(xs):
        f.arrow(x, 222, x, 163, 'h_12'); f.hid(x, 140, f'g{i + 1}')
        if i: f.arrow(xs[i - 1] + 23, 140, x - 23, 140, 'h_h2')
        f.arrow(x, 117, x, 88, 'h_o'); f.out(x, 66)
    return f

FIGURES = {'rnn1_unrolled': rnn1, 'rnn2_loop': rnn2, 'rnn3_state': rnn3, 'rnn4_many': rnn4, 'stacked': stacked}

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
