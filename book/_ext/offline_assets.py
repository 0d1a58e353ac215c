"""Sphinx extension of the course site: every script, style and font a page loads comes from the site.

A classroom may have no internet, so the site serves MathJax, require.js, the Jupyter widgets' HTML
manager and Font Awesome 4 from ``_static/vendor/``. They are npm packages pinned in
``book/package.json`` / ``book/package-lock.json`` (``npm ci`` in ``book/`` installs them; ``make book``
does). ``_config.yml`` points Sphinx (``mathjax_path``) and myst-nb (``nb_ipywidgets_js``) at the copies.

matplotlib's ``to_jshtml`` animation player links Font Awesome 4 from a CDN inside the notebook's stored
output; that one link is rewritten to the local copy when a page is written, so the notebooks keep what
matplotlib stored and the site still loads nothing from outside.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

BOOK = Path(__file__).resolve().parents[1]
NODE_MODULES = BOOK / "node_modules"
# The site's own static files (cnnmath-widgets.js), copied to _static/ by Sphinx.
STATIC = BOOK / "_static"

# _static/vendor/<destination>: <source under book/node_modules>, copied file by file or as a folder.
ASSETS = {
    "require.js": "requirejs/require.js",
    # embed-amd.js and the fonts it bundles (hashed names); source maps and the non-AMD build are not used.
    "html-manager": "@jupyter-widgets/html-manager/dist",
    # MathJax 3: the combined TeX + MathML component and the folders it loads its fonts, TeX extensions
    # and accessibility features from, relative to itself.
    "mathjax/tex-mml-chtml.js": "mathjax/es5/tex-mml-chtml.js",
    "mathjax/input": "mathjax/es5/input",
    "mathjax/output": "mathjax/es5/output",
    "mathjax/a11y": "mathjax/es5/a11y",
    "mathjax/sre": "mathjax/es5/sre",
    "mathjax/ui": "mathjax/es5/ui",
    "mathjax/adaptors": "mathjax/es5/adaptors",
    "font-awesome/css": "font-awesome/css",
    "font-awesome/fonts": "font-awesome/fonts",
}
SKIP = shutil.ignore_patterns("*.map", "embed.js", "libembed-amd.js", "*.less", "*.scss")

# A CDN link found in stored outputs -> the local copy under _static/.
REWRITES = {
    # matplotlib.animation's to_jshtml player (matplotlib/_animation_data.py) styles its buttons with it.
    "https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css": (
        "_static/vendor/font-awesome/css/font-awesome.min.css"
    ),
}


def add_static_path(app: Sphinx, config) -> None:
    config.html_static_path.append(str(STATIC))


def check_installed(app: Sphinx) -> None:
    missing = [src for src in ASSETS.values() if not (NODE_MODULES / src).exists()]
    if missing:
        raise ExtensionError(
            f"the site's offline assets are not installed: {', '.join(missing)} missing under "
            f"{NODE_MODULES}. Run `npm ci` in book/ (make book does)."
        )


def rewrite_cdn_links(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body")
    if not body:
        return
    for url, local in REWRITES.items():
        if url in body:
            body = body.replace(url, context["pathto"](local, 1))
    context["body"] = body


def copy_assets(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    vendor = Path(app.outdir) / "_static" / "vendor"
    for dest, src in ASSETS.items():
        source, target = NODE_MODULES / src, vendor / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=SKIP, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", add_static_path)
    app.connect("builder-inited", check_installed)
    app.connect("html-page-context", rewrite_cdn_links)
    app.connect("build-finished", copy_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
