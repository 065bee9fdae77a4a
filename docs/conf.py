"Sphinx configuration for the rnn_from_scratch docs: the processed notebooks, rendered from their saved outputs."
from configparser import ConfigParser
from pathlib import Path

_cfg = ConfigParser(delimiters=['=']); _cfg.read(Path(__file__).parent.parent/'settings.ini')
project = _cfg['DEFAULT']['lib_name']
author = _cfg['DEFAULT']['author']
copyright = _cfg['DEFAULT']['copyright']
release = _cfg['DEFAULT']['version']

extensions = ['myst_nb', 'sphinx-mathjax-offline']   # MathJax served from the site itself: no CDN
nb_execution_mode = 'off'            # never run anything: the notebooks' saved outputs are the page
nb_merge_streams = True
myst_enable_extensions = ['attrs_inline', 'colon_fence', 'dollarmath']
myst_heading_anchors = 3
suppress_warnings = ['mystnb.unknown_mime_type']
exclude_patterns = ['_build', '**.ipynb_checkpoints']
html_theme = 'furo'
html_title = 'rnn_from_scratch'
html_static_path = []
html_show_sourcelink = False
html_theme_options = {'source_repository': _cfg['DEFAULT']['git_url'], 'source_branch': 'main', 'source_directory': 'nbs/'}
html_favicon = 'favicon.svg'
nb_render_markdown_format = 'myst'   # markdown outputs (the results tables) may hold tables
