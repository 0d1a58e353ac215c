"""The course site (`make book`): its table of contents, its files, and the pages in a real browser.

The site is built once per run into a tmp dir with the same Jupyter Book command as `make book`, served
on 127.0.0.1 (a free port, Python's http.server in a thread) and opened in Debian's Chromium through
Playwright, with every request that would leave loopback blocked and recorded. Each page checked must
load with no blocked request, no failed local request and no script error; its math must be typeset by
MathJax, its figures must load, and the widgets its notebook stores must render. Screenshots go to the
test's tmp dir.

Locally the build and browser tests skip with a reason when Jupyter Book, the npm assets (book/
node_modules: `make book` installs them), Playwright or Chromium is missing; under CI=true they fail.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from teach import present
from teach.present import Traffic, external  # the offline guard, shared with class mode

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
# The arguments of `make book` (the Makefile's BOOK_ARGS; a test below keeps the two equal).
BUILD_ARGS = ["build", ".", "--config", "book/_config.yml", "--toc", "book/_toc.yml"]
BUILD_ARGS += ["--warningiserror", "--keep-going"]
BUILD_TIMEOUT_S = 600
CHROMIUM, FLAGS = present.CHROMIUM, list(present.CHROMIUM_FLAGS)  # one place: teach/present.py
PAGE_S = 30
# The landing page and three notebook pages: the index (math), 04 (math and a figure), 12 (figures)
# and 16 (math and the widgets whose state the notebook stores).
PAGES = [
    "index.html",
    "notebooks/04-conv-layer-delta.html",
    "notebooks/12-digits-cnn.html",
    "notebooks/16-interactive-backprop.html",
]
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# matplotlib.animation's to_jshtml player: <img id="_anim_img…"> inside <div class="animation">.
ANIMATION = re.compile(r'<div class="animation">\s*<img id="_anim_img')


def toc_files(node: dict) -> list[str]:
    """Every ``file`` of a jb-book table of contents, in reading order."""
    files = [node["file"]] if "file" in node else []
    for key in ("parts", "chapters", "sections"):
        for child in node.get(key, []):
            files += toc_files(child)
    return files


def read_toc() -> dict:
    yaml = pytest.importorskip("yaml", reason="PyYAML reads book/_toc.yml")
    return yaml.safe_load((BOOK / "_toc.yml").read_text(encoding="utf-8"))


def test_toc_lists_every_notebook_once_in_reading_order():
    toc = read_toc()
    assert toc["format"] == "jb-book"
    assert toc["root"] == "notebooks/00-index", "the index notebook is the landing page"
    files = [toc["root"], *toc_files(toc)]
    listed = [f for f in files if f.startswith("notebooks/")]
    on_disk = [f"notebooks/{nb.stem}" for nb in NOTEBOOKS]
    missing = sorted(set(on_disk) - set(listed))
    assert not missing, f"add {missing} to book/_toc.yml (the site shows only the files listed there)"
    assert len(listed) == len(set(listed)), "a notebook is listed twice in book/_toc.yml"
    assert listed == on_disk, "book/_toc.yml lists the notebooks out of their numbered reading order"
    for f in files:
        assert any((ROOT / f"{f}{ext}").is_file() for ext in (".ipynb", ".md")), f"{f} in _toc.yml is missing"


def test_toc_numbers_chapters_like_the_files():
    """Chapters are numbered from 1 across the numbered parts, so chapter N is notebook N."""
    toc = read_toc()
    numbered = [f for part in toc["parts"] if part.get("numbered") for f in toc_files(part)]
    assert [int(Path(f).name[:2]) for f in numbered] == list(range(1, len(numbered) + 1))
    unnumbered = [f for part in toc["parts"] if not part.get("numbered") for f in toc_files(part)]
    assert not [f for f in unnumbered if f.startswith("notebooks/")], "every notebook sits in a numbered part"


def test_make_book_uses_the_tested_command():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    args = re.search(r"^BOOK_ARGS\s*:=\s*(.+)$", makefile, flags=re.M)[1].split()
    assert args == BUILD_ARGS
    assert re.search(r"^book:.*\n\t.*jupyter-book \$\(BOOK_ARGS\) --path-output \.$", makefile, flags=re.M)


def test_book_dependencies_are_pinned():
    """Jupyter Book 1 (2 needs an online service); npm packages pinned exactly, and the widget manager's
    major version is the one the installed ipywidgets writes its stored state for."""
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    jb = [r for r in extra["optional-dependencies"]["book"] if r.startswith("jupyter-book==")]
    assert len(jb) == 1 and int(jb[0].split("==")[1].split(".")[0]) < 2, jb
    package = json.loads((BOOK / "package.json").read_text(encoding="utf-8"))["dependencies"]
    lock = json.loads((BOOK / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    for name, version in package.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is not pinned exactly: {version}"
        assert lock[f"node_modules/{name}"]["version"] == version, f"package-lock.json disagrees on {name}"
    from ipywidgets import _version

    wanted = _version.__html_manager_version__.lstrip("^~")
    assert package["@jupyter-widgets/html-manager"].split(".")[0] == wanted.split(".")[0]


# --- the built site ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory, require, unavailable) -> Path:
    """Build the site into a tmp dir with `make book`'s command; return its html folder."""
    require("jupyter_book")
    if not (BOOK / "node_modules" / ".installed").exists():
        unavailable("book/node_modules is not installed: run `make book` once (it runs npm ci in book/)")
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    start = time.monotonic()
    done = subprocess.run(
        [str(jupyter_book), *BUILD_ARGS, "--path-output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    log = done.stdout + done.stderr
    (out / "build.log").write_text(log, encoding="utf-8")
    if done.returncode != 0:
        pytest.fail(f"jupyter-book build failed ({done.returncode}):\n{log[-4000:]}")
    print(f"site built in {time.monotonic() - start:.1f} s into {out}")
    return out / "_build" / "html"


def notebook_of(page: str) -> Path | None:
    name = Path(page).with_suffix(".ipynb").name
    if page == "index.html":
        name = "00-index.ipynb"
    path = ROOT / "notebooks" / name
    return path if path.is_file() else None


def stored(notebook: Path) -> dict:
    """What the site should show of a notebook: counts read from the .ipynb file itself."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    state = nb["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state")
    return {
        "title": re.search(r"^# (.+)$", markdown, flags=re.M)[1].strip(),
        "images": sum(any(m in o.get("data", {}) for m in IMAGE_MIMES) for o in outputs),
        "math": "$" in markdown or any("text/latex" in o.get("data", {}) for o in outputs),
        "widget_views": sum("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
        if state
        else 0,
    }


def test_every_notebook_is_a_page(site):
    for nb in NOTEBOOKS:
        assert (site / "notebooks" / f"{nb.stem}.html").is_file(), f"{nb.name} has no page"
    assert 'url=notebooks/00-index.html"' in (site / "index.html").read_text(encoding="utf-8")
    running = re.sub(r"<[^>]+>", "", (site / "book" / "running.html").read_text(encoding="utf-8"))
    running = re.sub(r"\s+", " ", running)
    assert "make lab" in running and "make present" in running, "the page on running the notebooks"
    sizes = {p.name: p.stat().st_size for p in (site / "notebooks").glob("*.html")}
    print("page sizes (bytes):", sizes)


# What a page loads: <script>/<img>/<iframe>/<source>/<video>/<audio>/<embed> src, <link> href (styles,
# preloads, icons; not navigation), and in stylesheets and <style> blocks @import and url().
TAG_SRC = re.compile(r"<(?:script|img|iframe|source|video|audio|embed)\b[^>]*?\bsrc=[\"']([^\"']+)", re.I)
LINK = re.compile(r"<link\b[^>]*>", re.I)
HREF = re.compile(r"\bhref=[\"']([^\"']+)", re.I)
NAVIGATION = re.compile(r'\brel="(?:index|search|next|prev|canonical|author|license)"', re.I)
STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style>", re.I | re.S)
CSS_URL = re.compile(r"@import\s+[\"']([^\"']+)|url\(\s*[\"']?([^\"')]+)", re.I)


def loaded_urls(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".css":
        return [a or b for a, b in CSS_URL.findall(text)]
    urls = TAG_SRC.findall(text)
    urls += [
        HREF.search(tag)[1] for tag in LINK.findall(text) if HREF.search(tag) and not NAVIGATION.search(tag)
    ]
    urls += [a or b for block in STYLE_BLOCK.findall(text) for a, b in CSS_URL.findall(block)]
    return urls


def test_no_page_or_style_loads_anything_from_outside(site):
    """Every script, style, font and image a page or stylesheet names is served by the site."""
    offenders, broken = [], []
    pages = [p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts]  # not templates
    files = [*pages, *(site / "_static").rglob("*.css")]
    checked = 0
    for path in files:
        for url in loaded_urls(path):
            checked += 1
            if external(url):
                offenders.append(f"{path.relative_to(site)}: {url}")
            elif not urlsplit(url).scheme and not url.startswith(("#", "/")) and urlsplit(url).path:
                if not (path.parent / urlsplit(url).path).resolve().exists():
                    broken.append(f"{path.relative_to(site)}: {url}")
    assert checked > 10 * len(pages), f"only {checked} loaded URLs found in {len(pages)} pages"
    assert not offenders, "loads from outside the site:\n" + "\n".join(offenders[:20])
    assert not broken, "names a file the site does not have:\n" + "\n".join(broken[:20])


# --- in Chromium -------------------------------------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=site))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium(require, unavailable):
    sync_api = require("playwright.sync_api")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"Debian's chromium is not installed at {CHROMIUM} (.ci/run installs it with apt-get)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browse(chromium, server):
    """``browse(path) -> (page, traffic)``: a fresh context whose non-loopback requests are blocked."""
    context = chromium.new_context(viewport={"width": 1300, "height": 900})
    traffic = Traffic()
    context.route("**/*", traffic.route)

    def open_page(path: str):
        page = context.new_page()
        page.set_default_timeout(PAGE_S * 1000)
        traffic.watch(page)
        response = page.goto(f"{server}/{path}", wait_until="load")
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        return page, traffic

    try:
        yield open_page
    finally:
        context.close()


def wait_for(page, traffic: Traffic, what: str, script: str, arg=None) -> None:
    """``page.wait_for_function``, failing with what the page loaded, was refused or broke on."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(script, arg=arg)
    except PlaywrightTimeout:
        pytest.fail(
            f"{what} within {PAGE_S} s. Blocked: {traffic.blocked}; failed: {traffic.failed}; "
            f"script errors: {traffic.errors}"
        )


def wait_for_math(page, traffic: Traffic) -> int:
    """Wait for MathJax to finish typesetting; return the number of typeset formulas."""
    wait_for(page, traffic, "MathJax did not start", "() => window.MathJax && MathJax.startup?.promise")
    page.evaluate("() => MathJax.startup.promise")
    return page.locator("mjx-container").count()


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_with_math_figures_and_widgets(browse, path, tmp_path):
    page, traffic = browse(path)
    notebook = notebook_of(path)
    expect = stored(notebook)
    if path == "index.html":
        page.wait_for_url("**/notebooks/00-index.html")  # the landing page is the index notebook
        page.wait_for_load_state("load")
        sidebar = page.locator("nav.bd-links")
        glossary = sidebar.locator("a", has_text=re.compile("glossary", re.I))
        assert glossary.first.get_attribute("href").endswith("11-notation-crosswalk.html")
        assert sidebar.locator("a", has_text="Running the notebooks").count() == 1
    heading = page.locator("article h1").first.inner_text().replace("\u2019", "'")  # Sphinx's smart quotes
    assert expect["title"] in heading, f"{path} shows {heading!r}, not {notebook.name}'s title"

    formulas = wait_for_math(page, traffic)
    if expect["math"]:
        assert formulas > 0, "no formula was typeset by MathJax"
        assert page.locator("mjx-merror").count() == 0, page.locator("mjx-merror").first.inner_text()

    if expect["widget_views"]:
        views = expect["widget_views"]
        script = "n => document.querySelectorAll('.widget-subarea').length >= n"
        wait_for(page, traffic, f"the {views} stored widget views did not render", script, views)
        wait_for_math(page, traffic)  # widget labels are typeset after the widgets render

    # every image (figures, and the images inside widgets) has loaded and has a size
    wait_for(
        page, traffic, "images did not finish loading", "() => [...document.images].every(i => i.complete)"
    )
    sizes = page.evaluate("() => [...document.images].map(i => [i.naturalWidth, i.currentSrc.slice(0, 80)])")
    assert all(w > 0 for w, _ in sizes), f"images that did not load: {[s for w, s in sizes if not w]}"
    figures = page.locator("article .cell_output img")
    assert figures.count() >= expect["images"], f"{expect['images']} stored images, {figures.count()} shown"

    name = path.replace("/", "-").removesuffix(".html")
    page.screenshot(path=str(tmp_path / f"{name}.png"))
    if figures.count():
        figures.first.scroll_into_view_if_needed()
        figures.first.screenshot(path=str(tmp_path / f"{name}-figure.png"))
    traffic.assert_clean()


def animation_pages(site: Path) -> list[str]:
    return sorted(
        str(p.relative_to(site))
        for p in (site / "notebooks").glob("*.html")
        if ANIMATION.search(p.read_text(encoding="utf-8"))
    )


def test_animations_play_offline(site, browse, tmp_path):
    """On every page with a to_jshtml animation: its frames and button icons load from the site, and
    pressing Play changes the frame shown (the first player of each page)."""
    pages = animation_pages(site)
    if not pages:
        pytest.skip("no page has a matplotlib to_jshtml animation yet (issue 14, section 2 adds them)")
    for path in pages:
        page, traffic = browse(path)
        players = page.locator("div.animation")
        assert players.count() > 0
        player = players.first
        image = player.locator("img").first
        player.scroll_into_view_if_needed()
        page.wait_for_function(
            "el => el.complete && el.naturalWidth > 0 && el.getAttribute('src')", arg=image.element_handle()
        )
        # the buttons' labels: cnnmath's players carry plain characters (cnnmath.widgets._static drops
        # matplotlib's Font Awesome icons, which it would load from a CDN); a player written by
        # matplotlib alone has Font Awesome 4 glyphs, or the SVGs the theme's Font Awesome script puts in
        # their place. Either way nothing is drawn from outside the site (traffic.assert_clean below).
        play = player.locator('button[title="Play"]')
        icon = play.locator("span.cnnmath-button, svg, i").first.bounding_box()
        assert icon and icon["width"] > 0 and icon["height"] > 0, "the Play button has no icon"
        before_src, before = image.get_attribute("src"), image.screenshot()
        play.click()
        page.wait_for_function(
            "([el, old]) => el.getAttribute('src') !== old", arg=[image.element_handle(), before_src]
        )
        player.locator('button[title="Pause"]').click()
        after = image.screenshot()
        name = Path(path).stem
        (tmp_path / f"{name}-animation-before.png").write_bytes(before)
        (tmp_path / f"{name}-animation-after.png").write_bytes(after)
        assert after != before, f"{path}: the animation's picture did not change after Play"
        traffic.assert_clean()
