"""Run notebooks top to bottom in a fresh kernel and save their outputs in place (slow cells included),
then record each notebook's run time in tools/run_times.md, the one place prose may cite for how long a notebook takes.

nbdev_test checks notebooks without saving; this refreshes the outputs that the docs and README show.
Figures are saved as plain PNG (execnb's default is retina, which doubles each side and made notebooks heavy).
Usage: python tools/run_nbs.py [--keep-outputs] [nbs/NAME.ipynb ...]   (default: every notebook in nbs/)
--keep-outputs runs a throw-away copy, so the saved outputs stay as they are, and records only the time
(for a notebook whose prose reads outputs measured on another machine).
"""
import os, re, sys, time, datetime
from pathlib import Path
from execnb.shell import CaptureShell

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT/'tools'/'run_times.md'
HEAD = ('# Notebook run times\n\nWritten by `tools/run_nbs.py` each time it runs a notebook (and refreshes its outputs, unless run with '
        '`--keep-outputs`): every cell, slow cells '
        'included, in a fresh kernel, one torch thread, on the machine named. Prose that says how long a notebook takes cites this table.\n\n'
        '| notebook | seconds | date | machine |\n| --- | --- | --- | --- |\n')

def run_nb(path:Path, keep_outputs:bool=False)->float:
    "Execute `path` in a new shell, stop at the first error, save outputs back to `path` (or to a throw-away copy); returns the seconds taken"
    dest = path.with_name(f'.{path.stem}.timing.ipynb') if keep_outputs else path
    t = time.perf_counter()
    try: CaptureShell(path, mpl_format='png').execute(path, dest, exc_stop=True)
    finally:
        if keep_outputs: dest.unlink(missing_ok=True)
    secs = time.perf_counter() - t
    print(f'{path}: {secs:.1f}s', flush=True)
    return secs

def read_table()->dict:
    "The rows of tools/run_times.md: {notebook: (seconds, date, machine)}"
    if not TABLE.exists(): return {}
    rows = re.findall(r'^\| (\S+\.ipynb) \| ([\d.]+) \| (\S+) \| (.+?) \|$', TABLE.read_text(), re.M)
    return {nb: (float(s), d, m) for nb, s, d, m in rows}

def record(times:dict):
    "Merge `times` ({notebook: seconds}) into tools/run_times.md"
    rows = read_table()
    machine = f'{os.cpu_count()} cores, {os.uname().machine}'
    for nb, s in times.items(): rows[nb] = (s, datetime.date.today().isoformat(), machine)
    TABLE.write_text(HEAD + ''.join(f'| {nb} | {s:.0f} | {d} | {m} |\n' for nb, (s, d, m) in sorted(rows.items())))

if __name__ == '__main__':
    keep = '--keep-outputs' in sys.argv
    nbs = [Path(p).resolve() for p in sys.argv[1:] if p != '--keep-outputs'] or sorted((ROOT/'nbs').glob('[!_]*.ipynb'))
    for p in nbs: record({p.name: run_nb(p, keep)})
