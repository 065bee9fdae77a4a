"""JupyterLab, the learner's client, tested the learner's way: a JupyterLab server on 127.0.0.1 with a token and a
throw-away copy of nbs/, a notebook run through JupyterLab's own menus in Debian's chromium (driven by playwright), its
outputs checked and a screenshot kept. The server and its kernels are shut down even when a test fails, and the tests
check that no process of theirs is left running."""
import json, os, re, secrets, shutil, signal, socket, subprocess, sys, time, urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
import pytest
from conftest import BIN, copy_project, descendants, alive, wait_gone, kept_runs

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT/'docs'/'_build'/'screenshots'
CHROMIUM = shutil.which('chromium')
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is missing: install it with "
                                    "`apt-get install -y chromium` (scripts/setup.sh does where apt-get works)")
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync']
pytestmark = pytest.mark.xdist_group('jupyterlab')   # its servers and browser on one pytest worker
NB = '04_many_to_many.ipynb'   # trains RNN4 in seconds; shows its epoch table (a DataFrame) and a plot
# The notebooks train quietly (`train_model(progress=False)`, see 00_training); a learner who asks for fastai's progress
# bar types this cell, and the test types it too, after the notebook
PROGRESS_CELL = "learn2, res2 = train_model('rnn4', epochs=2, progress=True)"

LAB_ARGS = ['--no-browser', '--allow-root',             # CI containers run as root; harmless otherwise
            '--ServerApp.ip=127.0.0.1', '--ServerApp.port_retries=0',   # this module picks the port, and retries itself
            # nothing may reach the internet: no news feed, no update check, no PyPI extension manager
            '--LabApp.news_url=None', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
            '--LabApp.extension_manager=readonly']
JUPYTER_DIRS = 'JUPYTER_CONFIG_DIR JUPYTER_DATA_DIR JUPYTER_RUNTIME_DIR JUPYTERLAB_SETTINGS_DIR JUPYTERLAB_WORKSPACES_DIR IPYTHONDIR'.split()
PORT_TAKEN = ('is already in use', 'is not available')   # what jupyter_server logs when it cannot bind its port

# ---- processes (ps works on Linux and macOS; a kernel runs in a session of its own, so the server's process group misses it)

def killpg(pid, sig):
    try: os.killpg(pid, sig)
    except ProcessLookupError: pass

# ---- the server

class LabFailed(RuntimeError): "JupyterLab did not come up; the message holds its log"

@dataclass
class Lab:
    proc: subprocess.Popen
    root: Path
    port: int
    token: str
    log: Path
    refused: list = field(default_factory=list)   # ports tried first and found taken
    @property
    def url(self): return f'http://127.0.0.1:{self.port}'

def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def api(lab, method, path):
    "Call the Jupyter server's REST API with the token; returns the decoded JSON (or None)"
    req = urllib.request.Request(lab.url + path, method=method, headers={'Authorization': f'token {lab.token}'})
    with urllib.request.urlopen(req, timeout=10) as r: body = r.read()
    return json.loads(body) if body else None

def lab_env(tmp_path):
    "Environment of the server and its kernels: this venv first on PATH; Jupyter's and JupyterLab's own folders in `tmp_path`, so the user's Jupyter set-up neither leaks in nor gets written"
    env = kept_runs(dict(os.environ, PATH=f'{BIN}{os.pathsep}{os.environ["PATH"]}',
                         **{k: str(tmp_path/'jupyter'/k.lower()) for k in JUPYTER_DIRS}))
    # conftest points the HUMAN_NUMBERS cache at the session's temporary folder: the kernels must inherit it
    assert {'XDG_CACHE_HOME', 'FASTAI_HOME'} <= set(env), 'conftest should set XDG_CACHE_HOME and FASTAI_HOME'
    # JupyterLab otherwise asks in a pop-up whether to fetch news from the internet: answer "never" up front
    news = Path(env['JUPYTERLAB_SETTINGS_DIR'])/'@jupyterlab'/'apputils-extension'/'notification.jupyterlab-settings'
    news.parent.mkdir(parents=True, exist_ok=True); news.write_text('{"fetchNews": "false"}')
    return env

def wait_up(proc, log, port, timeout):
    "Wait until JupyterLab serves on `port`; raise `LabFailed` with its log as soon as it exits, or after `timeout` s"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text()
        if proc.poll() is not None:
            raise LabFailed(f'JupyterLab exited with code {proc.returncode} before serving on port {port}; its log ({log}):\n{text}')
        if 'is running at' in text and f':{port}/' in text: return
        time.sleep(0.2)
    raise LabFailed(f'JupyterLab did not serve on port {port} within {timeout} s; its log ({log}):\n{log.read_text()}')

def status(lab, timeout=10):
    "GET /api/status, retried for up to `timeout` s while the connection is refused; on failure, says whether the server lives and shows its log"
    deadline = time.monotonic() + timeout
    while True:
        try: return api(lab, 'GET', '/api/status')
        except urllib.error.URLError as e:
            if lab.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f'JupyterLab (exit code {lab.proc.poll()}) does not answer on port {lab.port}: {e}; '
                                     f'its log:\n{lab.log.read_text()}') from e
            time.sleep(0.5)

def start_lab(root, env, logdir, ports=(), extra=(), tries=3, timeout=120):
    "Start JupyterLab on `root`, trying `ports` then free ports: a port taken (even between our pick and its bind) is retried on another"
    refused, token = [], secrets.token_hex(16)
    for i in range(tries):
        port = ports[i] if i < len(ports) else free_port()
        log = Path(logdir)/f'jupyterlab-{port}.log'
        with open(log, 'w') as out:   # a file, not a pipe: a chatty server can never block on a full pipe
            proc = subprocess.Popen([sys.executable, '-m', 'jupyterlab', str(root), *LAB_ARGS, f'--ServerApp.port={port}',
                                     f'--IdentityProvider.token={token}', *extra], stdout=out, stderr=subprocess.STDOUT,
                                    env=env, cwd=root, start_new_session=True)   # its own process group: one signal reaches all of it
        try: wait_up(proc, log, port, timeout)
        except LabFailed:
            stop_process(proc)
            if proc.returncode is not None and any(m in log.read_text() for m in PORT_TAKEN): refused.append(port); continue
            raise
        return Lab(proc, Path(root), port, token, log, refused)
    raise LabFailed(f'JupyterLab found no free port after {tries} tries ({refused}); last log ({log}):\n{log.read_text()}')

def stop_process(proc):
    "SIGTERM to the process group, SIGKILL if it has not ended within 10 s"
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None: return
        killpg(proc.pid, sig)
        try: proc.wait(10)
        except subprocess.TimeoutExpired: pass
    proc.wait()

def stop_lab(lab):
    "Shut the kernels and the server down through Jupyter's API, then by signals; returns the processes that had to be killed"
    procs = descendants(lab.proc.pid)   # kernels live in sessions of their own: note them while the server is still their parent
    try: api(lab, 'POST', '/api/shutdown')   # stops every kernel, then the server
    except OSError: pass                      # already gone or hung: the signals below
    try: lab.proc.wait(20)
    except subprocess.TimeoutExpired: pass
    stop_process(lab.proc)
    left = wait_gone(procs, 10)
    for pid in left: os.kill(pid, signal.SIGKILL)
    return {p: procs[p] for p in left}

@contextmanager
def running_lab(root, env, logdir, **kw):
    "JupyterLab serving `root` for the `with` block, shut down after it even when it fails; fails if anything had to be killed"
    lab = start_lab(root, env, logdir, **kw)
    try: yield lab
    finally: left = stop_lab(lab)
    assert not left, f'still running after JupyterLab shut down (now killed): {left}'
    assert lab.proc.returncode is not None

@pytest.fixture
def lab(tmp_path):
    with running_lab(copy_project(tmp_path), lab_env(tmp_path), tmp_path) as lab: yield lab

# ---- the server's faults: they need no browser

def test_taken_port_is_retried_on_another(tmp_path):
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0)); taken.listen()
        port = taken.getsockname()[1]
        with running_lab(copy_project(tmp_path), lab_env(tmp_path), tmp_path, ports=[port]) as lab:
            assert lab.refused == [port] and lab.port != port
            assert 'started' in status(lab)   # it serves, on the port it reports
    assert any(m in (tmp_path/f'jupyterlab-{port}.log').read_text() for m in PORT_TAKEN)

def test_start_failure_reports_the_log_at_once(tmp_path):
    t = time.monotonic()
    with pytest.raises(LabFailed) as e: start_lab(copy_project(tmp_path), lab_env(tmp_path), tmp_path, extra=['--no-such-option'])
    msg = str(e.value)
    assert 'exited with code' in msg and 'unrecognized arguments: --no-such-option' in msg   # JupyterLab's own words
    assert time.monotonic() - t < 60   # failed fast, not by the 120 s timeout

# ---- the learner's path: a notebook run through JupyterLab's UI in a real browser

@pytest.fixture
def browser():
    sync_api = pytest.importorskip('playwright.sync_api')
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()

def accept_kernel_dialog(page)->bool:
    "Under load JupyterLab can open a notebook before it has listed the kernels, and then asks which one to start: a learner takes the one offered, the notebook's Python 3"
    d = page.locator('.jp-Dialog:has-text("Select Kernel")')
    if not d.is_visible(): return False
    d.locator('button:has-text("Select")').click()
    d.wait_for(state='hidden')
    return True

def menu(page, top, item):
    "Click `item` in JupyterLab's `top` menu, as a learner does (answering the kernel dialog first if JupyterLab shows it)"
    for attempt in range(2):
        try: page.click(f'#jp-MainMenu .lm-MenuBar-itemLabel:text-is("{top}")', timeout=15_000); break
        except Exception:
            if attempt or not accept_kernel_dialog(page): raise
    page.click(f'.lm-Menu-content .lm-Menu-itemLabel:text-is("{item}")')

WATCH_PROGRESS = """() => { window.rnnfsProgress = [];   // fastai's progress bar is replaced by its table at the end: note it while it shows
  new MutationObserver(() => document.querySelectorAll('.jp-OutputArea-output progress').forEach(
    e => window.rnnfsProgress.push(e.getAttribute('max')))).observe(document.body, {subtree: true, childList: true}); }"""
STATE = """() => ({
  prompts: [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')].map(e => e.textContent.trim()),
  status: document.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status'),
  stderr: [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')].map(e => e.innerText)})"""

def run_all(page, tries=2, start_within=30):
    "Run > Run All Cells, as a learner does; if no cell has started after `start_within` s (the page dropped the click), click again, at most `tries` times; returns the clicks used"
    for k in range(tries):
        menu(page, 'Run', 'Run All Cells')
        deadline = time.monotonic() + start_within
        while time.monotonic() < deadline:
            if any(p != '[ ]:' for p in page.evaluate(STATE)['prompts']): return k + 1
            time.sleep(0.2)
    raise AssertionError(f'Run > Run All Cells started no cell of {NB}: {tries} clicks, {start_within} s after each')

def wait_all_run(page, timeout=300, stalled_after=20):
    "Wait until the kernel is idle and every code cell has an execution count; fail at once on a traceback, a dialog, or a run that stopped with cells left unrun"
    deadline, stalled = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        s = page.evaluate(STATE)
        tb = [t for t in s['stderr'] if 'Traceback' in t or 'Error' in t]
        assert not tb, 'a cell failed in JupyterLab:\n' + '\n'.join(tb)
        assert not dialog_text(page), f'JupyterLab showed a dialog while running {NB}: {dialog_text(page)!r}'
        if s['status'] == 'idle' and s['prompts'] and all(re.fullmatch(r'\[\d+\]:', p) for p in s['prompts']): return s
        # idle with a cell neither run nor queued ([ ]:, not [*]:) means the run was dropped: say so, do not wait 300 s
        if s['status'] == 'idle' and '[ ]:' in s['prompts'] and '[*]:' not in s['prompts']:
            stalled = stalled or time.monotonic()
            assert time.monotonic() - stalled < stalled_after, \
                f'JupyterLab stopped running {NB} with cells left unrun (kernel idle {stalled_after} s): prompts {s["prompts"]}'
        else: stalled = None
        time.sleep(0.5)
    raise AssertionError(f'JupyterLab did not finish running {NB} within {timeout} s: prompts {s["prompts"]}, kernel {s["status"]}')

def threshold():
    "The accuracy the notebook itself asserts (`test_eq(res['accuracy'] >= X, True)`)"
    src = '\n'.join(''.join(c['source']) for c in json.loads((ROOT/'nbs'/NB).read_text())['cells'])
    m = re.search(r"res\['accuracy'\] >= ([\d.]+)", src)
    assert m, f"{NB} no longer asserts res['accuracy'] >= X: update this test"
    return float(m[1])

def epoch_tables(page):
    "Body rows of every HTML table in the outputs whose header has train_loss"
    return page.evaluate("""() => [...document.querySelectorAll('.jp-OutputArea-output table')]
      .filter(t => t.querySelector('thead')?.innerText.includes('train_loss')).map(t => [...t.querySelectorAll('tbody tr')].map(r => r.innerText))""")

def active_cell(page):
    "(n, of) from JupyterLab's status bar: the active cell is cell n of `of`"
    return tuple(map(int, re.search(r'Cell (\d+)/(\d+)', page.inner_text('#jp-main-statusbar')).groups()))

def type_new_cell(page, code):
    "Add a cell below the active one and run it, with the keyboard"
    for k in ('Escape', 'b', 'Enter'): page.keyboard.press(k)   # command mode, new cell below, edit it
    page.keyboard.insert_text(code)
    page.keyboard.press('Control+Enter')   # run it and stay (Shift+Enter would add yet another cell)

def saved_code_cells(fn, timeout=30):
    "The code cells of `fn` once JupyterLab has saved it with every one executed"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cells = [c for c in json.loads(fn.read_text())['cells'] if c['cell_type'] == 'code']
        if all(c['execution_count'] for c in cells): return cells
        time.sleep(0.5)
    raise AssertionError(f'JupyterLab did not save {fn.name} with every cell executed within {timeout} s')

def open_notebook(browser, lab, name):
    "A page showing `name` in JupyterLab with its kernel idle, and the list its problems go to: uncaught errors, requests leaving 127.0.0.1"
    page, probs = browser.new_page(viewport={'width': 1400, 'height': 1000}), []
    page.on('pageerror', lambda e: probs.append(f'page error: {e}'))
    page.on('request', lambda r: r.url.startswith(('http://127.0.0.1', 'ws://127.0.0.1', 'data:', 'blob:')) or probs.append(f'request outside: {r.url}'))
    page.goto(f'{lab.url}/lab/tree/{name}?token={lab.token}')
    page.wait_for_selector('.jp-Notebook .jp-CodeCell', timeout=120_000)
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=120_000)
    wait_kernel(page, lab, name)
    return page, probs

def wait_kernel(page, lab, name, timeout=120):
    "Wait until the server lists an idle kernel for notebook `name`, answering JupyterLab's kernel dialog if it asks (under load it can show the notebook before its kernel has started)"
    deadline, seen = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        accept_kernel_dialog(page)
        seen = [s['kernel'] for s in api(lab, 'GET', '/api/sessions') if s.get('path') == name and s.get('kernel')]
        if seen and seen[0].get('execution_state') == 'idle': return seen[0]
        time.sleep(0.5)
    raise AssertionError(f'no idle kernel for {name} within {timeout} s; the server lists {seen}; dialog: {dialog_text(page)!r}')

def dialog_text(page)->str:
    "The text of the dialog JupyterLab shows, or ''"
    d = page.locator('.jp-Dialog')
    return d.first.inner_text() if d.count() and d.first.is_visible() else ''

def check_outputs(page, state):
    "The notebook's own outputs: no stderr, the accuracy line over the notebook's threshold, the epoch table, the plot; returns the epochs"
    assert state['stderr'] == [], f'stderr in the notebook: {state["stderr"]}'
    m = re.search(r'RNN4: accuracy ([\d.]+) after (\d+) epochs', page.inner_text('.jp-Notebook'))
    assert m, 'the accuracy line is missing from the outputs'
    acc, epochs = float(m[1]), int(m[2])
    assert acc >= threshold(), f'accuracy {acc} is below the notebook threshold {threshold()}'
    tables = epoch_tables(page)   # `history(learn)`, an HTML table
    assert [len(rows) for rows in tables] == [epochs], f'epoch tables with {[len(r) for r in tables]} rows, for {epochs} epochs'
    imgs = page.eval_on_selector_all('.jp-OutputArea-output img', 'es => es.map(e => e.complete && e.naturalWidth > 0)')
    assert imgs == [True], f'one plot expected, loaded: {imgs}'
    return epochs

MARKDOWN_FIGURES = """() => ({
  imgs: [...document.querySelectorAll('.jp-MarkdownOutput img')].map(e => [e.getAttribute('src'), e.complete && e.naturalWidth > 0]),
  math: document.querySelectorAll('.jp-MarkdownOutput mjx-container').length,
  raw: [...document.querySelectorAll('.jp-MarkdownOutput')].filter(e => e.innerText.includes('$$')).length})"""

def check_diagram_and_math(page, timeout=30):
    "The lesson's diagram (an SVG beside the notebook) loads and its equations are typeset by JupyterLab's MathJax"
    want_imgs = sum(len(re.findall(r'!\[[^\]]*\]\(images/', ''.join(c['source'])))
                    for c in json.loads((ROOT/'nbs'/NB).read_text())['cells'] if c['cell_type'] == 'markdown')
    deadline = time.monotonic() + timeout
    while True:
        f = page.evaluate(MARKDOWN_FIGURES)
        if len(f['imgs']) == want_imgs and all(ok for _, ok in f['imgs']) and f['math'] and not f['raw']: return f
        if time.monotonic() > deadline: raise AssertionError(f'diagram or math not rendered in JupyterLab: {f}, {want_imgs} images expected')
        time.sleep(0.5)

def check_progress_cell(page, epochs):
    "fastai's own progress bar and epoch table, from a cell typed below the last one"
    n, of = active_cell(page)
    assert n == of, f'Run All left cell {n} of {of} active, not the last'
    type_new_cell(page, PROGRESS_CELL)
    assert active_cell(page) == (of + 1, of + 1)
    wait_all_run(page)
    assert page.evaluate('window.rnnfsProgress'), "fastai's progress bar never showed as an HTML <progress>"
    assert [len(rows) for rows in epoch_tables(page)] == [epochs, 2], "fastai's epoch table (2 epochs) is missing"

TRAIN_CELL = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
  .find(c => c.innerText.includes("learn, res = train_model('rnn4')"))"""
FIRST_STDERR = """() => document.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')"""

def screenshot(page, path, *wheres):
    "A tall window scrolled to the first element that `wheres` (JavaScript functions) find"
    page.set_viewport_size({'width': 1400, 'height': 1500})
    for where in wheres:
        if page.evaluate(f'(({where})()?.scrollIntoView({{block: "start"}}), !!({where})())'): break
    page.wait_for_timeout(500)   # let JupyterLab lay out the cells scrolled into view
    SHOTS.mkdir(parents=True, exist_ok=True); page.screenshot(path=str(path))

@needs_chromium
def test_notebook_runs_in_jupyterlab(lab, browser):
    page, probs = open_notebook(browser, lab, NB)
    try:
        menu(page, 'Edit', 'Clear Outputs of All Cells')   # the saved outputs must not pass for this run's
        assert page.locator('.jp-Notebook .jp-OutputArea-output').count() == 0
        page.evaluate(WATCH_PROGRESS)
        t = time.monotonic()
        clicks = run_all(page)
        state = wait_all_run(page)
        print(f'{NB} ran in JupyterLab in {time.monotonic() - t:.1f} s' + ('' if clicks == 1 else f' (Run All Cells clicked {clicks} times: the first click started nothing)'))
        kernels = [a for a in descendants(lab.proc.pid).values() if 'ipykernel_launcher' in a]
        assert len(kernels) == 1 and kernels[0].split()[0] == sys.executable, f'not one kernel on this venv\'s python: {kernels}'
        check_diagram_and_math(page)
        epochs = check_outputs(page, state)
        check_progress_cell(page, epochs)
        page.keyboard.press('Control+s')   # saved through the UI, the file can be read back: every cell run, no error output
        errors = [o for c in saved_code_cells(lab.root/NB) for o in c['outputs'] if o['output_type'] == 'error']
        assert errors == [], errors
        assert probs == [], probs
    except Exception:   # where it went wrong: the first traceback, else the training cell
        screenshot(page, SHOTS/'jupyterlab_04_many_to_many-failed.png', FIRST_STDERR, TRAIN_CELL); raise
    # the training cell at the top: its epoch table, the plot and the accuracy line below it
    screenshot(page, SHOTS/'jupyterlab_04_many_to_many.png', TRAIN_CELL)
    # and the lesson's diagram with its equation, as JupyterLab renders them
    screenshot(page, SHOTS/'jupyterlab_04_many_to_many_diagram.png', "() => document.querySelector('.jp-MarkdownOutput img')")
    (SHOTS/'jupyterlab_04_many_to_many-failed.png').unlink(missing_ok=True)
