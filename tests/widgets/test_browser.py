"""Real-browser tests: notebook 16's live δ map in JupyterLab and in Voilà (class mode), driven by
Debian's Chromium through Playwright.

Each test copies the notebook into a temporary directory, starts the server on 127.0.0.1 (a free
port, a random token, HOME / Jupyter config, data and runtime directories inside tmp_path, so the
user's ~/.jupyter is never touched), runs the notebook, moves a weight slider of the δ-map widget
with the keyboard and checks that the rendered δ map changed and that no error output appeared.
Screenshots go to tmp_path. Servers are stopped by PID (their process group) in a finally block.

Locally the tests skip with a reason when Chromium or Playwright is missing; under CI=true they fail.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from teach import present

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "16-interactive-backprop.ipynb"
CHROMIUM = present.CHROMIUM
FLAGS = list(present.CHROMIUM_FLAGS)  # one place: teach/present.py
DELTA_MAP = ".cnnmath-delta-map"
SERVER_START_S, RUN_S = 90, 90


@pytest.fixture(scope="module")
def browser(tmp_path_factory, require, unavailable):
    """One headless Chromium (a fresh profile) for the module; yields a BrowserContext."""
    sync_api = require("playwright.sync_api")
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"Debian's chromium is not installed at {CHROMIUM} (.ci/run installs it with apt-get)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            yield context
        finally:
            context.close()


def answers(url: str) -> bool:
    """True when ``url`` answers 200 (JupyterLab's /api/status)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@contextmanager
def server(cmd: list[str], root: Path, ready, log: Path):
    """Start ``cmd`` in its own process group, wait until ``ready()``, stop it by PID afterwards."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=root,
            env=present.server_env(root),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            if ready():
                break
            if time.monotonic() > deadline:
                pytest.fail(f"server not ready in {SERVER_START_S} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server's process group (its id is the server's PID), then SIGKILL what is left."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        try:  # the server is gone; kernels it started may linger in the group
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return


def copy_notebook(tmp_path: Path) -> Path:
    root = tmp_path / "notebooks"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    return root


def nudge_weight(page, tmp_path: Path, name: str) -> None:
    """Move the δ map's first weight slider with the keyboard; assert that the picture changed."""
    widget = page.locator(DELTA_MAP)
    image = widget.locator("img").first
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "s => { const i = document.querySelector(s + ' img'); return i && i.complete && i.naturalWidth; }",
        arg=DELTA_MAP,
        timeout=RUN_S * 1000,
    )
    before_src = image.get_attribute("src")
    before = image.screenshot()
    handle = widget.locator(".noUi-handle").first
    handle.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([sel, old]) => { const i = document.querySelector(sel + ' img');"
        " return i && i.getAttribute('src') !== old && i.complete && i.naturalWidth > 0; }",
        arg=[DELTA_MAP, before_src],
        timeout=30_000,
    )
    page.wait_for_timeout(300)  # let the new frame paint
    after = image.screenshot()
    (tmp_path / f"{name}-delta-map-before.png").write_bytes(before)
    (tmp_path / f"{name}-delta-map-after.png").write_bytes(after)
    page.screenshot(path=str(tmp_path / f"{name}-page.png"), full_page=False)
    assert after != before, "the δ map did not change on screen"
    text = widget.inner_text()
    assert "⚠" not in text and "Traceback" not in text


def no_error_output(page) -> None:
    errors = page.locator(
        '[data-mime-type="application/vnd.jupyter.stderr"], [data-mime-type="application/vnd.jupyter.error"]'
    )
    assert errors.count() == 0, errors.first.inner_text()
    assert "Traceback" not in page.locator("body").inner_text()


def test_jupyterlab_live_delta_map(browser, tmp_path):
    root = copy_notebook(tmp_path)
    port, token = present.free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
    ] + (["--allow-root"] if os.geteuid() == 0 else [])
    base = f"http://127.0.0.1:{port}"
    status = f"{base}/api/status?token={token}"
    with server(cmd, tmp_path, lambda: answers(status), tmp_path / "jupyterlab.log"):
        page = browser.new_page()
        try:
            page.goto(f"{base}/lab/tree/{NOTEBOOK.name}?token={token}")
            page.wait_for_function("() => window.jupyterapp !== undefined", timeout=RUN_S * 1000)
            page.evaluate(
                """async () => {
                    const app = window.jupyterapp;
                    await app.restored;
                    let nb = app.shell.currentWidget;
                    while (!nb || !nb.sessionContext) {
                        await new Promise(r => setTimeout(r, 200));
                        nb = app.shell.currentWidget;
                    }
                    await nb.context.ready;
                    await nb.sessionContext.ready;
                    await app.commands.execute('notebook:run-all-cells');
                }"""
            )
            page.locator(DELTA_MAP).wait_for(timeout=RUN_S * 1000)
            nudge_weight(page, tmp_path, "jupyterlab")
            no_error_output(page)
        finally:
            page.close()


def test_voila_class_mode_live_delta_map(browser, tmp_path):
    root = copy_notebook(tmp_path)
    port, token = present.free_port(), secrets.token_hex(16)
    # the `make present` command line (preheated kernels), plus a free port and a token
    cmd = present.voila_command(root / NOTEBOOK.name, port, token, preheat=True)
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "voila.log"
    # as a teacher would: open the page once Voilà says its pool of preheated kernels is full (a page
    # requested earlier gets a kernel of its own, which then competes with the pool's for the CPU)
    ready = lambda: present.listens(port) and present.POOL_FILLED.search(log.read_text(errors="replace"))  # noqa: E731
    with server(cmd, tmp_path, ready, log):
        page = browser.new_page()
        try:
            page.goto(f"{base}/?token={token}", timeout=RUN_S * 1000)
            page.locator(DELTA_MAP).wait_for(timeout=RUN_S * 1000)
            shown = page.locator("body").inner_text()
            assert "dm = delta_map()" not in shown and "sp.init_printing" not in shown  # class mode: no code
            nudge_weight(page, tmp_path, "voila")
            no_error_output(page)
        finally:
            page.close()


def test_animation_plays_in_a_static_page(browser, tmp_path):
    """A widget's animation, saved as a plain HTML file, plays when ▶ is pressed, with no request
    leaving the page (no CDN: matplotlib's icon font is replaced by characters)."""
    from cnnmath.widgets import kernel_sliding

    page_file = tmp_path / "animation.html"
    player = kernel_sliding().animation(interval=100).to_html()
    page_file.write_text(
        f'<!doctype html><html><head><meta charset="utf-8"></head><body>{player}</body></html>'
    )
    page = browser.new_page()
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else outside.append(r.url))
    try:
        page.goto(page_file.as_uri())
        first = page.get_attribute("img[id^=_anim_img]", "src")
        assert first and first.startswith("data:image/png;base64,")
        page.click("button[title=Play]")
        page.wait_for_function(
            "(first) => document.querySelector('img[id^=_anim_img]').src !== first", arg=first, timeout=10_000
        )
        page.screenshot(path=str(tmp_path / "animation.png"))
    finally:
        page.close()
    assert outside == []
