"""How fast this machine trains, read from the runs nbdev_test kept (no training of its own): scripts/test.sh prints it
beside its own time, so that times taken on machines of different speeds can be compared. The budgets of issue 17 were
set on a machine that trained rnn4 at 0.27 s/epoch; README's table was measured at 0.14.

    python tools/machine_speed.py RUNS_FOLDER SECONDS
"""
import json, sys
from pathlib import Path

BUDGET_MACHINE = 0.27   # rnn4's seconds per epoch where the test command's budgets were set

def rnn4_speed(runs:Path)->float|None:
    "rnn4's seconds per epoch in the book's run (seed 42, 15 epochs) among the kept runs, or None"
    for p in sorted(runs.glob('*.json')):
        r = json.loads(p.read_text())
        if r.get('model') == 'rnn4' and r.get('seed') == 42 and r.get('epochs') == 15: return r['seconds_per_epoch']

def main(runs, secs):
    spe = rnn4_speed(Path(runs))
    if spe is None: return print('machine speed: no kept run of rnn4 to read it from')
    print(f'this machine trained rnn4 at {spe:.2f} s/epoch during nbdev_test; on the machine the budget was set on '
          f'({BUDGET_MACHINE} s/epoch) these {secs} s would be about {round(int(secs) * BUDGET_MACHINE / spe)} s')

if __name__ == '__main__': main(*sys.argv[1:3])
