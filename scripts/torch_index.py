"""Which package index `scripts/setup.sh` installs torch from, printed as one line (empty: the index pip is configured with).

- `TORCH_INDEX_URL` set: that index, whatever the machine (set it empty to use pip's configured index).
- Linux without an NVIDIA GPU: PyTorch's own CPU index, if it answers within a few seconds. The public index would
  otherwise give Linux the CUDA build, with several GB of NVIDIA packages that such a machine cannot use.
- Linux with an NVIDIA GPU, macOS, Windows: pip's configured index (CUDA on Linux, the CPU/MPS build on macOS).
Why it chose is printed on stderr. Runs with any Python 3, before the virtual environment exists."""
import os, platform, shutil, sys, urllib.request
from pathlib import Path

CPU_INDEX = 'https://download.pytorch.org/whl/cpu'

def has_nvidia_gpu()->bool:
    "Whether this machine shows an NVIDIA GPU: its driver's files or its `nvidia-smi`"
    return Path('/proc/driver/nvidia/version').exists() or shutil.which('nvidia-smi') is not None

def reachable(url:str, timeout:float=5.0)->bool:
    "Whether `url` answers within `timeout` seconds"
    try:
        with urllib.request.urlopen(url.rstrip('/') + '/torch/', timeout=timeout): return True
    except Exception: return False

def choose(env:dict, system:str, gpu:bool, can_reach)->tuple:
    "(index URL or '', why): the decision, given the environment, `platform.system()`, a GPU or not, and a reachability test"
    if 'TORCH_INDEX_URL' in env:
        url = env['TORCH_INDEX_URL']
        return url, f"TORCH_INDEX_URL is set: torch from {url or pip_default()}"
    if system != 'Linux': return '', f"{system}: torch from {pip_default()} (its {system} build needs no CUDA)"
    if gpu: return '', f"NVIDIA GPU found: torch's CUDA build from {pip_default()}"
    if can_reach(CPU_INDEX): return CPU_INDEX, f"no NVIDIA GPU: torch's CPU build from {CPU_INDEX}"
    return '', f"no NVIDIA GPU, and {CPU_INDEX} does not answer: torch from {pip_default()}"

def pip_default()->str: return "pip's configured index"

if __name__ == '__main__':
    url, why = choose(os.environ, platform.system(), has_nvidia_gpu(), reachable)
    print(f'setup: {why}', file=sys.stderr)
    print(url)
