"Every exported function and class has a docstring of its own, so its docs entry never reads a generic one such as 'Call self as a function.'"
import importlib, inspect, pkgutil
import pytest
import rnn_from_scratch

MODULES = [m.name for m in pkgutil.iter_modules(rnn_from_scratch.__path__) if not m.name.startswith('_')]

def own_doc(obj):
    "The docstring `obj` defines itself: not one inherited from a base class or from `object`"
    if inspect.isclass(obj): return obj.__dict__.get('__doc__')
    return getattr(obj, '__doc__', None) if inspect.isfunction(obj) or inspect.isbuiltin(obj) else 'not a function or class'

def exported():
    for mod in MODULES:
        m = importlib.import_module(f'rnn_from_scratch.{mod}')
        for name in getattr(m, '__all__', []): yield mod, name, getattr(m, name)

def test_every_module_has_all():
    assert MODULES and all(hasattr(importlib.import_module(f'rnn_from_scratch.{m}'), '__all__') for m in MODULES)

@pytest.mark.parametrize('mod,name,obj', list(exported()), ids=lambda v: v if isinstance(v, str) else '')
def test_exported_symbol_has_its_own_one_line_docstring(mod, name, obj):
    doc = own_doc(obj)
    assert doc and doc.strip(), f'{mod}.{name} has no docstring of its own: add a one-line docstring'
    assert len(doc.strip().splitlines()) == 1, f'{mod}.{name}: the docstring should be one line (longer explanations go in the notebook)'

def test_the_check_catches_a_missing_docstring():
    class NoDoc: pass
    def f(): pass
    assert not own_doc(NoDoc) and not own_doc(f) and own_doc(own_doc)
