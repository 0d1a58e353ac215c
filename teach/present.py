"""Class mode (``make present``): Voilà with preheated kernels; how fast a page shows its first live widget.

Without preheating, Voilà starts a kernel and runs the whole notebook for every page load, so a
visitor waits for notebook 16 to execute. With ``--preheat_kernel=True --pool_size=N`` Voilà keeps N
kernels that have already run the notebook with its own (default) template, and a page load takes
one of them and gets the page that was rendered in advance; Voilà starts a replacement
``fill_delay`` later (``FILL_DELAY_S`` = 10 s here rather than Voilà's 1 s, so that the replacement
running the notebook does not slow down the page that is being opened). Voilà logs "Kernel pool ...
is filled" when the kernels have *started*; they run the notebook after that (about 10 s for
notebook 16 on a busy 2-core machine), and a page opened before they finish waits for them.
Consequences for a teacher: the pool costs N idle kernels of memory, a page shows the notebook in the
state it has after running every cell (as without preheating), and changing the notebook needs a
restart of ``make present``. The page loads nothing from the internet (a classroom may be offline): it
is rendered with ``TEMPLATE``, Voilà's lab template without the Font Awesome links to a CDN (see its
index.html.j2 in ``JUPYTER_DATA``), and every page ``measure()`` loads has its requests off loopback
blocked and recorded (``Traffic``), which tests/test_present.py requires to be none.

``measure()`` (``make bench``; tests/test_present.py) serves a copy of the notebook on 127.0.0.1 (a
free port, a token, Jupyter's directories in a temporary folder), loads the page ``loads`` times in
Debian's Chromium (Playwright) and returns, for each load, the time from the start of navigation to
the moment the first cnnmath widget's picture is on screen (its <img> decoded), read with
``performance.now()`` inside the page. Before each load it waits until the pool is full again and
its kernels have run the notebook (every kernel idle for ``QUIET_S``, read from the server's kernel
API), as a teacher's page opened, or reloaded, half a minute apart finds it.

    python -m teach.present                     # notebook 16: 3 loads without and with preheating
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "16-interactive-backprop.ipynb"

# Class mode's settings, in one place: the Makefile's `present` recipe passes the same flags
# (tests/test_present.py checks that they agree).
POOL_SIZE = 2  # preheated kernels: two visitors (or a reload) in quick succession both get one
# Seconds Voilà waits, after a page took a kernel, before it starts the replacement (its default: 1 s).
# The replacement runs the whole notebook; started at once it competes for the CPU with the page
# being opened and its widgets (medians of 3 loads 1.8-3.0 s against 2.1-4.9 s; README, class mode).
FILL_DELAY_S = 10
# The page's template: Voilà's lab template without the Font Awesome it links from a CDN (a classroom
# may be offline). It lives in a Jupyter data directory of the repository, which JUPYTER_PATH adds.
JUPYTER_DATA = ROOT / "teach" / "jupyter"
TEMPLATE = "offline-lab"  # JUPYTER_DATA / "voila" / "templates" / TEMPLATE
SERVE_FLAGS = ("--Voila.ip=127.0.0.1", f"--template={TEMPLATE}")
PREHEAT_FLAGS = (
    "--preheat_kernel=True",
    f"--pool_size={POOL_SIZE}",
    f"--VoilaKernelManager.fill_delay={FILL_DELAY_S}",
)
CLASS_MODE_FLAGS = SERVE_FLAGS + PREHEAT_FLAGS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
FIRST_WIDGET = ".cnnmath-widget img"
START_S, LOAD_S = 180, 120  # generous limits on a shared 2-core machine; the times are reported
QUIET_S = 2.0  # a kernel idle this long has finished running the notebook (cells follow each other in ms)
POOL_FILLED = re.compile(r"Kernel pool of .* is filled with \d+ kernel")

# Runs in the page before any of its scripts: records when the first widget picture is decoded.
_WATCH = """
window.__firstWidget = null;
const seen = () => {
  if (window.__firstWidget !== null) return;
  const img = document.querySelector(SELECTOR);
  if (img && img.complete && img.naturalWidth > 0) window.__firstWidget = performance.now();
};
new MutationObserver(seen).observe(document, {childList: true, subtree: true, attributes: true});
document.addEventListener("load", seen, true);
""".replace("SELECTOR", json.dumps(FIRST_WIDGET))


def external(url: str) -> bool:
    """Whether loading ``url`` leaves this machine: an http(s) or scheme-relative address off loopback."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "javascript", "mailto"):
        return False
    return (parts.scheme in ("http", "https") or url.startswith("//")) and parts.hostname not in LOOPBACK


class Traffic:
    """What the pages of a browser context asked for: blocked (non-loopback) requests, failed local ones
    and script errors. ``context.route("**/*", traffic.route)`` (or ``page.route``) aborts and records
    every request that would leave loopback, as an offline classroom would; ``traffic.watch(page)``
    records the rest. The course site's tests (tests/test_book.py) and class mode's use it alike."""

    def __init__(self):
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []

    def route(self, route):
        url = route.request.url
        if external(url):
            self.blocked.append(url)
            route.abort()
        else:
            route.continue_()

    def watch(self, page):
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        page.on("requestfailed", lambda r: not external(r.url) and self.failed.append(f"{r.failure} {r.url}"))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def assert_clean(self):
        assert not self.blocked, f"requests left loopback: {self.blocked}"
        assert not self.failed, f"local requests failed: {self.failed}"
        assert not self.errors, f"script errors: {self.errors}"


def voila_command(notebook: Path, port: int, token: str, *, preheat: bool) -> list[str]:
    """`make present`'s command line (with or without preheating), on ``port`` with ``token``.

    Its ``--template`` is found in ``JUPYTER_DATA``: run it with ``JUPYTER_PATH`` set to that (as
    `make present` and :func:`measure` do); elsewhere Voilà cannot find the page's template."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        *SERVE_FLAGS,
        *(PREHEAT_FLAGS if preheat else ()),
        "--no-browser",
        f"--port={port}",
        "--Voila.port_retries=0",
        f"--token={token}",
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listens(port: int) -> bool:
    """True when 127.0.0.1:port accepts connections (for Voilà: GET / would execute the notebook)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


# Every directory Jupyter, JupyterLab and IPython write to, moved inside a server's own folder.
_SERVER_DIRS = (
    "HOME",
    "JUPYTER_CONFIG_DIR",
    "JUPYTER_DATA_DIR",
    "JUPYTER_RUNTIME_DIR",
    "IPYTHONDIR",
    "JUPYTERLAB_SETTINGS_DIR",
    "JUPYTERLAB_WORKSPACES_DIR",
    "TMPDIR",
)


def server_env(root: Path) -> dict[str, str]:
    """The parent's environment for a Voilà or JupyterLab server whose directories are all inside
    ``root`` (never the user's ~/.jupyter; TMPDIR: Voilà's connection files), with class mode's
    page template on JUPYTER_PATH."""
    env = dict(os.environ)
    for var in _SERVER_DIRS:
        (root / var).mkdir(parents=True, exist_ok=True)
        env[var] = str(root / var)
    env["JUPYTER_PATH"] = str(JUPYTER_DATA)  # the page's template (as `make present` sets it)
    env["PYTHONUNBUFFERED"] = "1"
    env["OPENBLAS_NUM_THREADS"] = "1"
    try:
        import matplotlib

        env["MPLCONFIGDIR"] = matplotlib.get_configdir()  # reuse the font cache
    except ImportError:
        pass
    return env


def _kernels_settled(port: int, token: str, tmp: Path, quiet_s: float = QUIET_S) -> bool:
    """True when every kernel the server runs (its connection files, which Voilà keeps in a folder
    voila_* of ``tmp``) has been idle for ``quiet_s``: the pool's kernels have finished running the
    notebook, not only started (which is when Voilà logs that the pool is filled)."""
    now = datetime.now(UTC)
    for conn in tmp.glob("voila_*/kernel-*.json"):
        url = f"http://127.0.0.1:{port}/api/kernels/{conn.stem.removeprefix('kernel-')}?token={token}"
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                model = json.load(r)
        except urllib.error.HTTPError as e:
            if e.code == 404:  # shut down since the listing
                continue
            raise
        except OSError:
            return False
        last = datetime.fromisoformat(model["last_activity"].replace("Z", "+00:00"))
        if model["execution_state"] != "idle" or (now - last).total_seconds() < quiet_s:
            return False
    return True


def _wait(condition, what: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not within {timeout} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server's process group (its kernels included), then SIGKILL what is left."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=wait)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # kernels that outlived the server
        except ProcessLookupError:
            pass
        return


def measure(
    context,
    notebook: Path = NOTEBOOK,
    *,
    preheat: bool,
    loads: int = 3,
    workdir: Path | None = None,
    inspect=None,
    traffic: Traffic | None = None,
) -> list[float]:
    """Seconds from navigation to the first live widget, for each of ``loads`` page loads.

    ``context``: a Playwright BrowserContext (see :func:`chromium`). Screenshots and voila's log go
    to ``workdir`` (a temporary folder by default). ``inspect(page)``, if given, is called on each
    page after the time is taken (a test's checks of what the page shows). Every page loads as in an
    offline classroom: a request that would leave loopback is aborted and recorded in ``traffic``
    (a :class:`Traffic`; pass one to read what the pages asked for).
    """
    traffic = Traffic() if traffic is None else traffic
    with tempfile.TemporaryDirectory(prefix="cnnmath-present-") as tmp:
        work = Path(workdir or tmp)
        root = work / ("preheat" if preheat else "plain")
        (root / "notebooks").mkdir(parents=True)
        copy = root / "notebooks" / notebook.name
        shutil.copy(notebook, copy)
        port, token = free_port(), os.urandom(16).hex()
        log = root / "voila.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                voila_command(copy, port, token, preheat=preheat),
                cwd=root,
                env=server_env(root),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait(lambda: listens(port), "voila listening", proc, log, START_S)
            times = []
            for n in range(loads):
                if preheat:  # the pool is full again and its kernels have run the notebook
                    filled = lambda n=n: len(POOL_FILLED.findall(log.read_text(errors="replace"))) > n  # noqa: E731
                    _wait(filled, f"kernel pool full before load {n + 1}", proc, log, START_S)
                    settled = lambda: _kernels_settled(port, token, root / "TMPDIR")  # noqa: E731
                    _wait(settled, f"pool's kernels idle before load {n + 1}", proc, log, START_S)
                page = context.new_page()
                try:
                    page.route("**/*", traffic.route)
                    traffic.watch(page)
                    page.add_init_script(_WATCH)
                    page.goto(f"http://127.0.0.1:{port}/?token={token}", wait_until="commit")
                    page.wait_for_function("() => window.__firstWidget !== null", timeout=LOAD_S * 1000)
                    times.append(page.evaluate("window.__firstWidget") / 1000)
                    if inspect is not None:
                        inspect(page)
                    page.screenshot(path=str(root / f"load-{n + 1}.png"))
                finally:
                    page.close()
            return times
        finally:
            _stop(proc)


class chromium:
    """``with chromium() as context:`` a headless Debian Chromium (fresh profile) through Playwright."""

    def __enter__(self):
        from playwright.sync_api import sync_playwright

        self._profile = tempfile.TemporaryDirectory(prefix="cnnmath-chromium-")
        self._pw = sync_playwright().start()
        self.context = self._pw.chromium.launch_persistent_context(
            self._profile.name,
            executable_path=CHROMIUM,
            headless=True,
            args=list(CHROMIUM_FLAGS),
            viewport={"width": 1400, "height": 1000},
        )
        return self.context

    def __exit__(self, *exc):
        self.context.close()
        self._pw.stop()
        self._profile.cleanup()


def report(label: str, times: list[float]) -> str:
    loads = ", ".join(f"{t:.2f} s" for t in times)
    return f"    {label:34} {loads}   (median {statistics.median(times):.2f} s)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teach.present", description=__doc__.split("\n")[0])
    parser.add_argument("notebook", nargs="?", type=Path, default=NOTEBOOK)
    parser.add_argument("--loads", type=int, default=3)
    args = parser.parse_args(argv)
    if not os.access(CHROMIUM, os.X_OK):
        print(f"class mode: skipped (no Chromium at {CHROMIUM})")
        return 0
    print(f"\nclass mode ({args.notebook.name}): navigation -> first live widget, {args.loads} loads")
    with chromium() as context:
        for preheat, label in (
            (False, "a kernel per load (no preheating)"),
            (True, f"make present (pool of {POOL_SIZE})"),
        ):
            traffic = Traffic()
            times = measure(context, args.notebook, preheat=preheat, loads=args.loads, traffic=traffic)
            print(report(label, times), flush=True)
            if traffic.blocked:  # class mode must work offline; tests/test_present.py fails on these
                print(f"    blocked, would have left this machine: {sorted(set(traffic.blocked))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
