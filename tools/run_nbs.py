"""Run notebooks top to bottom in a fresh kernel and save their outputs in place (slow cells included).

nbdev_test checks notebooks without saving; this refreshes the outputs that the docs and README show.
Usage: python tools/run_nbs.py [nbs/NAME.ipynb ...]   (default: every notebook in nbs/)
"""
import sys, time
from pathlib import Path
from execnb.shell import CaptureShell

def run_nb(path):
    "Execute `path` in a new shell, stop at the first error, save outputs back to `path`."
    t = time.perf_counter()
    sh = CaptureShell(path)
    sh.execute(path, path, exc_stop=True)
    print(f'{path}: {time.perf_counter() - t:.1f}s', flush=True)

if __name__ == '__main__':
    nbs = [Path(p) for p in sys.argv[1:]] or sorted(Path('nbs').glob('[!_]*.ipynb'))
    for p in nbs: run_nb(p.resolve())
