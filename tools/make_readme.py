"""Write README.md from nbs/index.ipynb, offline (nbdev_readme needs Quarto, which cannot be installed here).

Markdown cells are copied; code cells become fenced Python unless marked `#| hide` (dropped) or
`#| echo: false` (output only); `#| ` directive lines are removed; saved outputs are kept: markdown
as is, text fenced, PNG images written to readme_files/. `--check` changes nothing and exits 1 when
README.md or its images differ from what index.ipynb gives.
"""
import sys, json, base64
from pathlib import Path
from nbcells import directives, strip_directives

ROOT = Path(__file__).resolve().parent.parent
NB, README, IMG_DIR = ROOT/'nbs'/'index.ipynb', ROOT/'README.md', 'readme_files'

def _src(cell): return ''.join(cell['source'])

def _output_md(out, name, images):
    "Markdown for one saved output; PNGs are added to `images` as {file name: bytes}"
    data = out.get('data', {})
    if out['output_type'] == 'stream': return f"```\n{''.join(out['text']).rstrip()}\n```"
    if 'image/png' in data:
        images[name] = base64.b64decode(data['image/png'])
        return f'![]({IMG_DIR}/{name})'
    if 'text/markdown' in data: return ''.join(data['text/markdown']).strip()
    if 'text/plain' in data: return f"```\n{''.join(data['text/plain']).rstrip()}\n```"
    return ''

def render(nb):
    "`(markdown, images)` for a notebook dict"
    parts, images = [], {}
    for i, cell in enumerate(nb['cells']):
        src = _src(cell); d = directives(src)
        if cell['cell_type'] == 'markdown': parts.append(src.strip()); continue
        if 'hide' in d or cell['cell_type'] != 'code': continue
        code = strip_directives(src).strip()
        if code and d.get('echo') != ['false']: parts.append(f'```python\n{code}\n```')
        parts += [_output_md(o, f'cell{i}_{j}.png', images) for j, o in enumerate(cell.get('outputs', []))]
    header = '<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->\n\n'
    return header + '\n\n'.join(p for p in parts if p) + '\n', images

def current():
    "What README.md and readme_files/ hold now"
    imgs = {p.name: p.read_bytes() for p in (ROOT/IMG_DIR).glob('*.png')}
    return (README.read_text() if README.exists() else None), imgs

def main(check=False):
    want = render(json.loads(NB.read_text()))
    if check:
        if current() != want:
            print('README.md or readme_files/ differ from nbs/index.ipynb: run `python tools/make_readme.py` and commit.', file=sys.stderr)
            return 1
        print('README.md matches nbs/index.ipynb'); return 0
    md, images = want
    (ROOT/IMG_DIR).mkdir(exist_ok=True)
    for p in (ROOT/IMG_DIR).glob('*.png'):
        if p.name not in images: p.unlink()
    for name, b in images.items(): (ROOT/IMG_DIR/name).write_bytes(b)
    README.write_text(md)
    print(f'wrote README.md and {len(images)} image(s) in {IMG_DIR}/'); return 0

if __name__ == '__main__': sys.exit(main('--check' in sys.argv[1:]))
