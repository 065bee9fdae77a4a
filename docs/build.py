"""Build the docs site from the notebooks, offline: `python docs/build.py`.

1. nbdev's own processing (`proc_nbs`, what `nbdev_proc_nbs` runs without its Quarto check): hidden
   cells dropped, `show_doc` rendered, directives applied, into `_proc/`.
2. A small adapter (`adapt`): front matter to a title and lead paragraph, `#|` lines removed, inputs
   of `echo: false` cells hidden, `show_doc` output made valid MyST, the notebooks in order in the
   home page's table of contents; `check` then refuses a page that would show a reader raw directives.
3. Sphinx with myst-nb over the saved outputs (nothing is executed), warnings as errors: a broken
   cross-reference or a missing image fails the build with the page's name.
The site lands in docs/_build/html.
"""
import json, re, shutil, subprocess, sys, time
from pathlib import Path
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT/'tools'))
from nbcells import directives, strip_directives
DOCS, SRC, OUT = ROOT/'docs', ROOT/'docs'/'_build'/'src', ROOT/'docs'/'_build'/'html'

def clean_md(md:str)->str:
    "`show_doc`'s markdown for MyST: no `---` rules (not allowed inside an output), no Quarto link attributes"
    md = re.sub(r'\]\((http[^)]*)\)\{[^}]*\}', r'](\1)', md)
    return '\n'.join(l for l in md.splitlines() if l.strip() != '---')

def _clean_outputs(outs):
    for o in outs:
        md = o.get('data', {}).get('text/markdown')
        if md is not None: o['data']['text/markdown'] = clean_md(''.join(md))
    return outs

_KEYS = {'markdown': ('cell_type', 'metadata', 'source', 'id'), 'raw': ('cell_type', 'metadata', 'source', 'id'),
         'code': ('cell_type', 'metadata', 'source', 'id', 'outputs', 'execution_count')}

def _valid(c, i):
    "`c` with only the keys nbformat allows (nbdev adds its own), and an id"
    return {k: v for k, v in c.items() if k in _KEYS[c['cell_type']]} | {'id': c.get('id') or f'cell-{i}'}

def adapt(nb:dict, pages:list|None=None)->dict:
    "A processed notebook made ready for myst-nb; `pages` (the other pages, in order) go into the home page's toc"
    cells = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'raw' and src.startswith('---'):
            fm = yaml.safe_load(src.strip().strip('-')) or {}
            lead = f"\n\n{fm['description']}" if fm.get('description') else ''
            cells.append(dict(cell_type='markdown', metadata={}, source=f"# {fm.get('title', 'Untitled')}{lead}"))
            continue
        if c['cell_type'] == 'code':
            d = directives(src)
            c = dict(c, source=strip_directives(src))
            if d.get('echo') == ['false']: c['metadata'] = dict(c.get('metadata', {}), tags=['remove-input'])
            c['outputs'] = _clean_outputs(c.get('outputs', []))
        cells.append(c)
    if pages: cells.append(dict(cell_type='markdown', metadata={}, source='```{toctree}\n:hidden:\n:maxdepth: 1\n\n' + '\n'.join(pages) + '\n```'))
    return dict(nb, cells=[_valid(c, i) for i, c in enumerate(cells)])

def check(name:str, nb:dict)->list:
    "What a reader of page `name` should never see: `#|` directives or front matter left in the text"
    probs = [f'{name}: raw cell left in the page: {"".join(c["source"])[:40]!r}' for c in nb['cells'] if c['cell_type'] == 'raw']
    for c in nb['cells']:
        if c['cell_type'] == 'markdown':
            probs += [f'{name}: directive shown as text: {l!r}' for l in ''.join(c['source']).splitlines() if l.lstrip().startswith('#|')]
    return probs

def render(nbs:list, src:Path=SRC, out:Path=OUT):
    "Adapt and check the processed notebooks `nbs`, then build the site with Sphinx into `out`; exits naming the pages at fault"
    shutil.rmtree(src, ignore_errors=True); src.mkdir(parents=True)
    pages, probs = [p.stem for p in nbs if p.stem != 'index'], []
    for p in nbs:
        nb = adapt(json.loads(p.read_text()), pages if p.stem == 'index' else None)
        probs += check(p.stem, nb)
        (src/p.name).write_text(json.dumps(nb, indent=1))
    if probs: sys.exit('docs build failed:\n' + '\n'.join(probs))
    if (ROOT/'nbs'/'images').is_dir(): shutil.copytree(ROOT/'nbs'/'images', src/'images')   # the diagrams the pages show
    shutil.rmtree(out, ignore_errors=True)
    r = subprocess.run([sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-q', '-b', 'html', '-c', str(DOCS), str(src), str(out)])
    if r.returncode: sys.exit('docs build failed (Sphinx warnings are errors): the messages above name the pages')

def process()->list:
    "nbdev's processing of nbs/ into _proc/: the processed notebooks"
    from nbdev.serve import proc_nbs
    shutil.rmtree(ROOT/'_proc', ignore_errors=True)
    proc_nbs(path=str(ROOT/'nbs'), n_workers=0)
    return sorted((ROOT/'_proc').glob('*.ipynb'))

def build():
    t0 = time.perf_counter()
    nbs = process()
    render(nbs)
    print(f'built {len(nbs)} pages in {time.perf_counter() - t0:.1f} s: {OUT/"index.html"}')

if __name__ == '__main__': build()
