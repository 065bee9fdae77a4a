"""Guards on the notebooks as saved: they are the evidence for every claim in their prose.

1. A code cell that displays something (its last statement is a bare expression, or it prints or plots) has saved outputs.
2. Every measured number in a notebook's markdown is printed by a saved output of the same notebook.
3. The run-time table that `tools/run_nbs.py` writes covers every notebook.
4. Cells that the docs build runs hold imports only.
5. The shape of a lesson (issue 18): short paragraphs, small code cells, short code lines, an opening that says what the
   reader will learn, a summary, a questionnaire and exercises, a drawn diagram and display math. Notebooks not reshaped
   yet are listed in `PENDING`, each with its reason; one that meets the shape must leave the list.
"""
import ast, math, re, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT/'tools'))
from nbcells import cells, directives, strip_directives

NBS = sorted((ROOT/'nbs').glob('[!_]*.ipynb'))
SILENT = re.compile(r'^(test_\w*|assert\w*|\w+\.close|plt\.close|set_seed|torch\.manual_seed|nbdev\.nbdev_export|\w+\.reset|\w+\.add_cb|\w+\.backward|\w+\.zero_grad)$')
PRINTS = re.compile(r'^(print|display|Markdown|show_doc)$')
PLOTS = re.compile(r'^(plot_\w*|\w+\.plot|plt\.\w+|\w+\.imshow|\w+\.show)$')

def _name(f):
    "The dotted name of a called function, as written: `plt.plot`, `print`, `learn.fit`"
    if isinstance(f, ast.Name): return f.id
    if isinstance(f, ast.Attribute): return (_name(f.value) or '') + '.' + f.attr
    return ''

def displays(src:str)->bool:
    "Whether a code cell shows something when run: a bare last expression, or a print or plot anywhere"
    code = '\n'.join(l for l in strip_directives(src).splitlines() if not l.lstrip().startswith(('%', '!')))
    try: tree = ast.parse(code)
    except SyntaxError: return False
    calls = {_name(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    if any(PRINTS.match(c) for c in calls): return True
    if any(PLOTS.match(c) for c in calls) and not any(c.endswith('.close') for c in calls): return True   # a closed figure is not shown
    last = tree.body[-1] if tree.body else None
    if not isinstance(last, ast.Expr) or code.rstrip().endswith(';'): return False
    return not (isinstance(last.value, ast.Call) and SILENT.match(_name(last.value.func)))

def code_cells(nb):
    for i, c in enumerate(cells(nb)):
        if c['cell_type'] != 'code': continue
        d = directives(c['source'])
        if 'hide' in d or 'export' in d or 'exporti' in d or 'exports' in d: continue
        yield i, c

@pytest.mark.parametrize('nb', NBS, ids=lambda p: p.stem)
def test_displaying_cells_have_saved_outputs(nb):
    missing = [f"cell {i}: {c['source'].strip().splitlines()[-1][:70]!r}" for i, c in code_cells(nb)
               if displays(c['source']) and not c.get('outputs')]
    assert not missing, f'{nb.name}: cells that display something have no saved outputs (run tools/run_nbs.py {nb.relative_to(ROOT)}):\n' + '\n'.join(missing)

def test_display_check_catches_what_it_should():
    assert displays('x = 1\nx') and displays('print(1)') and displays('plot_history(learn, "t");') and displays('df.head()')
    assert not displays('x = 1') and not displays('test_eq(1, 1)') and not displays('#| export\ndef f(): pass') and not displays('f();')
    assert not displays('fig = plot_comparison(qs); plt.close(fig)')

# --- 2. numbers in prose ---------------------------------------------------------------------------------------------
NUM = re.compile(r'(?<![\w.\-/])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(e-?\d+)?(%)?(?![\w])')
SOURCED = re.compile(r"book|fastbook|chapter|Hochreiter|Gers|Cho et al|Merity|fastai issue|\bissue #|#\d{3}|\(\d{4}\)|\b(19|20)\d\d\b")
# Numbers that are not measurements, each with its reason. Keys: (notebook stem or '*', number as written).
ALLOWED = {
    ('*', '9,999'): "the last number of HUMAN_NUMBERS: the data set's definition (SPLITS in 00_data), not a measurement",
    ('index', '8,000'): "the number fastai's files leave out: the data set's definition (SPLITS in 00_data)",
    ('*', '80%'): 'the training share of the split, a parameter (pct=0.8)', ('*', '20%'): 'the validation share of the split, a parameter',
    ('00_data', '1,000'): 'a place value in the grammar of number words', ('11_counting', '1,000'): 'a place value (a new thousand)',
    ('11_counting', '100'): 'a place value (a new hundred)', ('index', '3.11'): 'the Python version the package needs',
}

def _prose(md:str, span:str='', headings:bool=True)->str:
    "Markdown without what is not prose: fences, display math, figures, link targets, HTML tags; each code or inline math span becomes `span`"
    md = re.sub(r'```.*?```', ' ', md, flags=re.S)
    md = re.sub(r'\$\$.*?\$\$', ' ', md, flags=re.S)   # an equation's constants are not measurements
    md = re.sub(r'!\[[^\]]*\]\([^)]*\)', ' ', md)   # a figure's alt text describes a drawing, not a measurement
    if not headings: md = re.sub(r'^\s{0,3}#{1,6}\s.*$', '', md, flags=re.M)
    md = re.sub(r'(`+)(.+?)\1', f' {span} ', md, flags=re.S)
    md = re.sub(r'\$[^$\n]+\$', f' {span} ', md)
    md = re.sub(r'\]\([^)]*\)', ']', md)
    return re.sub(r'<[^>]+>', ' ', md)

def _sentences(text): return re.split(r'(?<=[.!?:;])\s+(?=[A-Z(*_`\-|])|\n', text)

def claimed_numbers(md:str)->list:
    "The numbers a markdown cell states as measured: decimals, percentages, numbers with separators, integers of 100 or more"
    out = []
    for s in _sentences(_prose(md)):
        if SOURCED.search(s): continue   # quoted with its source
        for m in NUM.finditer(s):
            whole, frac, exp, pct = m.groups()
            timed = re.match(r'\s*(s|ms|seconds?|minutes?|hours?)\b', s[m.end():])   # a time is a measurement, whatever its size
            if frac or exp or pct or ',' in whole or int(whole) >= 100 or timed: out.append(m.group(0))
    return out

DURATION = re.compile(r'\b(a few|several|a couple of|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty)\s+(seconds?|minutes?|hours?)\b', re.I)

@pytest.mark.parametrize('nb', NBS, ids=lambda p: p.stem)
def test_prose_durations_cite_the_run_times(nb):
    "A duration in words ('about five minutes') is a measurement too: it cites tools/run_times.md or goes"
    bad = [f"cell {i}: {m.group(0)!r}" for i, c in enumerate(cells(nb)) if c['cell_type'] == 'markdown'
           for sent in _sentences(_prose(c['source'])) if 'run_times' not in sent for m in DURATION.finditer(sent)]
    assert not bad, f'{nb.name}: durations in words that cite no measurement:\n' + '\n'.join(bad)

def test_run_time_table_covers_every_notebook():
    sys.path.insert(0, str(ROOT/'tools'))
    from run_nbs import read_table
    rows = read_table()
    assert {p.name for p in NBS} <= set(rows), f'tools/run_times.md lacks {sorted({p.name for p in NBS} - set(rows))}: run tools/run_nbs.py on them'
    assert all(s > 0 for s, _, _ in rows.values())

def _value(tok:str): return float(tok.rstrip('%').replace(',', ''))

def printed_numbers(nb)->list:
    "Every number in the saved text outputs (streams, plain text, markdown, HTML) of a notebook"
    txt = []
    for c in cells(nb):
        for o in c.get('outputs', []):
            if 'text' in o: txt.append(''.join(o['text']))
            for k in ('text/plain', 'text/markdown', 'text/html'): txt.append(''.join(o.get('data', {}).get(k, '')))
    return [float(m.replace(',', '')) for m in re.findall(r'-?\d[\d,]*\.?\d*(?:e[-+]?\d+)?', '\n'.join(txt)) if re.search(r'\d', m)
            if _num_ok(m)]

def _num_ok(m):
    try: float(m.replace(',', '')); return True
    except ValueError: return False

def is_printed(tok:str, printed:list)->bool:
    "Whether `tok` (as written in prose) is a printed number, rounded as the prose rounds it (a percentage may print as a fraction)"
    v = _value(tok)
    if 'e' in tok:
        digits = len(tok.split('e')[0].replace('.', '').lstrip('0')) or 1
        return any(p != 0 and f'{p:.{digits-1}e}' == f'{v:.{digits-1}e}' for p in printed)
    d = len(tok.rstrip('%').split('.')[1]) if '.' in tok else 0
    cands = printed + ([100 * p for p in printed] if tok.endswith('%') else [])
    return any(abs(round(p, d) - v) < 10 ** -(d + 6) or abs(abs(round(p, d)) - v) < 10 ** -(d + 6) for p in cands)

@pytest.mark.parametrize('nb', NBS, ids=lambda p: p.stem)
def test_prose_numbers_are_printed(nb):
    printed = printed_numbers(nb)
    bad = []
    for i, c in enumerate(cells(nb)):
        if c['cell_type'] != 'markdown': continue
        for tok in claimed_numbers(c['source']):
            if (nb.stem, tok) in ALLOWED or ('*', tok) in ALLOWED or is_printed(tok, printed): continue
            bad.append(f'cell {i}: {tok}')
    assert not bad, f'{nb.name}: numbers in the prose that no saved output of the notebook prints:\n' + '\n'.join(bad)

PM = re.compile(r'(-?\d+\.\d+) ± (\d+\.\d+)')

def _outputs_text(nb)->str:
    return '\n'.join(''.join(o.get('text', '')) + ''.join(o.get('data', {}).get('text/markdown', '')) + ''.join(o.get('data', {}).get('text/plain', ''))
                     for c in cells(nb) for o in c.get('outputs', []))

def pm_printed(pair:tuple, printed_pairs:list)->bool:
    "Whether a prose `mean ± std` is a printed pair, both rounded as the prose rounds them"
    (m, s), d = map(float, pair), len(pair[0].split('.')[1])
    return any(round(pm_, d) == round(m, d) and round(ps, len(pair[1].split('.')[1])) == s for pm_, ps in printed_pairs)

@pytest.mark.parametrize('nb', NBS, ids=lambda p: p.stem)
def test_prose_mean_std_pairs_are_printed_together(nb):
    "A mean ± std in the prose is one printed pair, not two numbers found in different places"
    printed = [(float(a), float(b)) for a, b in PM.findall(_outputs_text(nb))]
    bad = [f"cell {i}: {a} ± {b}" for i, c in enumerate(cells(nb)) if c['cell_type'] == 'markdown'
           for sent in _sentences(_prose(c['source'])) if not SOURCED.search(sent) for a, b in PM.findall(sent) if not pm_printed((a, b), printed)]
    assert not bad, f'{nb.name}: mean ± std pairs in the prose that no output prints:\n' + '\n'.join(bad)

def test_prose_check_catches_what_it_should():
    assert pm_printed(('0.508', '0.042'), [(0.5081, 0.0423)]) and not pm_printed(('0.515', '0.043'), [(0.5081, 0.0423), (0.515, 0.1)])
    printed = printed_numbers_from('LastToken: 0.181; rule 0.154\n1,912 targets 6.59 tokens 2.98e-07 acc 0.1517')
    for tok in ('0.181', '0.18', '0.154', '1,912', '6.59', '2.98e-07', '15%', '15.17%'): assert is_printed(tok, printed), tok
    for tok in ('0.155', '6.5', '1,111', '3.1e-07', '16%'): assert not is_printed(tok, printed), tok
    assert claimed_numbers('about 1,111 numbers and 6.5 tokens, 3 seeds, `0.9` in code, rnn4') == ['1,111', '6.5']
    assert claimed_numbers("The book's model reaches 0.8694.") == []
    assert claimed_numbers('it took 67 s, then 3 seeds') == ['67']
    assert DURATION.search('This takes about five minutes on a 2-core CPU') and not DURATION.search('five seeds')

def printed_numbers_from(text): return [float(m.replace(',', '')) for m in re.findall(r'-?\d[\d,]*\.?\d*(?:e[-+]?\d+)?', text) if _num_ok(m)]

@pytest.mark.parametrize('nb', NBS, ids=lambda p: p.stem)
def test_notebook_is_light(nb):
    "Figures saved as plain PNG keep a notebook light for the repository, the docs and JupyterLab"
    assert nb.stat().st_size < 300_000, f'{nb.name} is {nb.stat().st_size // 1024} KB: use plain PNGs (tools/run_nbs.py) and smaller figures'

# --- 4. cells that the docs build runs ----------------------------------------------------------------------------------
def mixes_imports(src:str)->bool:
    "Whether a code cell has an import beside other code: nbdev's docs processing runs every cell with an import, slow or not"
    if 'nbdev_export' + '()' in src or directives(src).get('eval') == ['false']: return False   # nbdev skips these itself
    try: tree = ast.parse('\n'.join(l for l in strip_directives(src).splitlines() if not l.lstrip().startswith(('%', '!'))))
    except SyntaxError: return False
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    return bool(imports) and len(imports) < len(tree.body)

@pytest.mark.parametrize('nb', NBS, ids=lambda p: p.stem)
def test_imports_have_cells_of_their_own(nb):
    "A slow cell that also imports ran its benchmark in every docs build (07_speed's bench_gates): imports go in import cells"
    bad = [f"cell {i}: {c['source'].strip().splitlines()[0][:70]!r}" for i, c in enumerate(cells(nb))
           if c['cell_type'] == 'code' and not ({'export', 'exporti', 'exports'} & directives(c['source']).keys()) and mixes_imports(c['source'])]
    assert not bad, f'{nb.name}: cells with imports and other code (move the imports to an import cell):\n' + '\n'.join(bad)

def test_mixed_import_check_catches_what_it_should():
    assert mixes_imports('#| slow\nfrom rnn_from_scratch.gates import bench_gates\ngate_rows = bench_gates()')
    assert not mixes_imports('#| hide\nimport math, time\nfrom fastai.basics import set_seed')
    assert not mixes_imports('#| hide\nimport nbdev; nbdev.nbdev_export()') and not mixes_imports('x = 1\nprint(x)')

# --- 5. the shape of a lesson ---------------------------------------------------------------------------------------------
PENDING = {stem: 'issue 18: not reshaped yet (long sentences and code lines, no summary, questionnaire or exercises)'
           for stem in ()}
REFERENCE = {'index', '90_cli'}   # reference pages, not lessons
IMG = re.compile(r'!\[([^\]]*)\]\(([^)]*)\)')

def title(nb)->str: return re.match(r'#\s+(.+)', cells(nb)[0]['source'])[1]
def is_appendix(nb)->bool: return title(nb).lower().startswith('appendix')

def shape_problems(nb)->list:
    "What keeps a lesson notebook from the shape of a lesson; [] when it has it"
    cs, probs = cells(nb), []
    md = [c['source'] for c in cs if c['cell_type'] == 'markdown']
    for m in md:
        # counted as ../shared/tools/lesson_shape.py counts: a code or math span is one word
        for para in re.split(r'\n[ \t]*\n', _prose(m, span='CODE', headings=False)):
            if len(para.split()) > 150: probs.append(f'a paragraph of {len(para.split())} words: {" ".join(para.split()[:8])!r}')
    for i, c in enumerate(cs):
        if c['cell_type'] != 'code': continue
        lines = [l for l in c['source'].splitlines() if not re.match(r'\s*#\s*\|', l)]
        if len(lines) > 25: probs.append(f'cell {i} has {len(lines)} lines (at most 25)')
        if not is_appendix(nb): probs += [f'cell {i}: a line of {len(l)} characters (at most 100)' for l in lines if len(l) > 100]
    if is_appendix(nb): return probs   # an appendix: short paragraphs and cells, nothing more
    heads = [l.lstrip('#').strip().lower() for m in md for l in m.splitlines() if re.match(r'#{2,3}\s', l)]
    for sec in ('summary', 'questionnaire', 'exercises'):
        if not any(h.startswith(sec) for h in heads): probs.append(f'no "{sec.title()}" section')
    opening = next((m for m in md if m.startswith('**In this lesson**')), None)
    if opening is None: probs.append('no opening "**In this lesson** you will:" with what the reader learns')
    elif not 1 <= len(re.findall(r'^- ', opening, re.M)) <= 4 or '**Builds on:**' not in opening:
        probs.append('the opening needs one to four bullets and a "**Builds on:**" line')
    if not any(IMG.search(m) for m in md): probs.append('no drawn diagram')
    if not any('$$' in m for m in md): probs.append('no display equation')
    return probs

LESSONS = [nb for nb in NBS if nb.stem not in REFERENCE]

@pytest.mark.parametrize('nb', LESSONS, ids=lambda p: p.stem)
def test_lesson_has_the_shape_of_a_lesson(nb):
    probs = shape_problems(nb)
    if nb.stem in PENDING:
        assert probs, f'{nb.name} now has the shape of a lesson: remove it from PENDING in tests/test_notebooks.py'
    else: assert not probs, f'{nb.name} lacks the shape of a lesson:\n' + '\n'.join(probs)

def test_shape_check_catches_what_it_should(tmp_path):
    import json
    def nb_of(*mds, code='x = 1'):
        fn = tmp_path/'99_x.ipynb'
        cs = [dict(cell_type='markdown', source=m, metadata={}) for m in mds] + [dict(cell_type='code', source=code, metadata={}, outputs=[])]
        fn.write_text(json.dumps(dict(cells=cs, metadata={}, nbformat=4, nbformat_minor=5))); return fn
    good = ['# T', '**In this lesson** you will:\n\n- one thing\n\n**Builds on:** `00_data`.', '![a model](images/x.svg)\n\n$$h = 1$$',
            '## Summary\n\n- a', '## Questionnaire\n\n1. why?', '## Exercises\n\n1. do']
    assert shape_problems(nb_of(*good)) == []
    assert any('150 words' not in p and 'words' in p for p in shape_problems(nb_of(*good, ' '.join(['word'] * 151))))
    assert any('characters' in p for p in shape_problems(nb_of(*good, code='x = ' + '1' * 120)))
    assert any('lines' in p for p in shape_problems(nb_of(*good, code='\n'.join(['x = 1'] * 26))))
    assert any('Questionnaire' in p for p in shape_problems(nb_of(*[m for m in good if 'Questionnaire' not in m])))
    assert any('diagram' in p for p in shape_problems(nb_of(*[m.replace('![a model](images/x.svg)', '') for m in good])))
    assert any('Builds on' in p for p in shape_problems(nb_of(*[m.replace('**Builds on:** `00_data`.', '') for m in good])))
    assert shape_problems(nb_of('# Appendix: speed', code='x = ' + '1' * 120)) == []   # appendices: long lines, no summary
    assert any('lines' in p for p in shape_problems(nb_of('# Appendix: speed', code='\n'.join(['x = 1'] * 26))))

def test_every_pending_notebook_gives_its_reason():
    assert set(PENDING) <= {nb.stem for nb in LESSONS}, 'PENDING names a notebook that is not a lesson'
    assert all(r.strip() for r in PENDING.values())

# --- 6. diagrams ------------------------------------------------------------------------------------------------------------
def test_diagrams_exist_have_alt_text_and_are_drawn_by_the_script():
    used = set()
    for nb in NBS:
        for c in cells(nb):
            if c['cell_type'] != 'markdown': continue
            for alt, src in IMG.findall(c['source']):
                assert (ROOT/'nbs'/src).is_file(), f'{nb.name}: image {src} is missing'
                assert len(alt.split()) >= 4, f'{nb.name}: image {src} needs alt text that says what it shows'
                used.add(Path(src).name)
    drawn = {p.name for p in (ROOT/'nbs'/'images').glob('*.svg')}
    assert drawn <= used, f'diagrams no notebook shows: {sorted(drawn - used)}'
    import subprocess
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'diagrams.py'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr   # the committed SVGs are what the script draws

def test_diagrams_are_plain_svg():
    "Nothing to fetch and nothing to run: they render the same in JupyterLab, on the docs site and on GitHub"
    import xml.etree.ElementTree as ET
    for p in (ROOT/'nbs'/'images').glob('*.svg'):
        t = p.read_text()
        ET.fromstring(t)   # well-formed XML, or the browser shows an error page instead of the figure
        assert t.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and '<title>' in t, p.name
        for bad in ('<script', 'href="http', '@import', '<image'): assert bad not in t, f'{p.name} holds {bad}'
