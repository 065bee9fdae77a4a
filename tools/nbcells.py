"""The one reader of notebook cells for the repository's tools and tests: `#|` directives (parsed by nbdev's own
`extract_directives`), the code without them, and the cells of a notebook file."""
import json
from pathlib import Path
from fastcore.basics import AttrDict
from nbdev.process import extract_directives

def directives(src:str)->dict:
    "The leading `#|` directives of a code cell's source, as nbdev reads them: {'hide': [], 'echo': ['false'], ...}"
    return {k.rstrip(':'): v for k, v in extract_directives(AttrDict(source=src, cell_type='code'), remove=False).items()}

def strip_directives(src:str)->str:
    "The source without its `#|` lines"
    return '\n'.join(l for l in src.splitlines() if not l.startswith('#|'))

def cells(path:Path)->list:
    "The cells of the notebook at `path`, each with its source as one string"
    return [dict(c, source=''.join(c['source'])) for c in json.loads(Path(path).read_text())['cells']]
