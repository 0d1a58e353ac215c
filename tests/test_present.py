"""teach/present.py: class mode (`make present`) with preheated kernels, measured in Debian's Chromium.

The load times are printed (`make bench` reports them), not asserted: a shared 2-core machine makes
them vary. What is asserted: every load shows live widgets and typeset formulas with every request that
would leave loopback blocked, and none was attempted (a classroom may be offline); and the projected page
shows each of the sums that notebook 16's cells check exactly once (in its widget, not again as printed text).
Locally the browser test skips when Chromium or Playwright is missing; under CI=true it fails.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from teach import present

ROOT = Path(__file__).resolve().parents[1]

# The written-out sums of notebook 16's widgets (the widgets' own format); each must appear once on
# the projected page, in its widget (before, the cells that drive the widgets printed them again).
SHOWN_ONCE = (r"z\[\d, \d\] = \d·", r"full\[\d, \d\] = \d·", r"δˡ⁻¹\[\d, \d\] = ∂E/∂aˡ⁻¹")
PLAIN_TEXT = '.jp-RenderedText[data-mime-type="text/plain"]'  # printed text and plain results (nbconvert)


def test_make_present_runs_the_class_mode_flags():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^present:.*\n((?:\t.*\n)+)", makefile, flags=re.M)[1]
    pool = re.search(r"^POOL \?= (\d+)$", makefile, flags=re.M)
    assert pool and int(pool[1]) == present.POOL_SIZE
    for flag in present.CLASS_MODE_FLAGS:
        assert flag.replace(f"={present.POOL_SIZE}", "=$(POOL)") in recipe, flag
    # the page's template: from the repository's Jupyter data directory, ahead of the user's JUPYTER_PATH
    data = present.JUPYTER_DATA.relative_to(ROOT)
    assert f'JUPYTER_PATH="$(CURDIR)/{data}$${{JUPYTER_PATH:+:$$JUPYTER_PATH}}"' in recipe
    assert (present.JUPYTER_DATA / "voila" / "templates" / present.TEMPLATE / "index.html.j2").is_file()
    cmd = present.voila_command(Path("nb.ipynb"), 1234, "t", preheat=False)
    assert "--preheat_kernel=True" not in cmd and "--Voila.ip=127.0.0.1" in cmd
    assert f"--template={present.TEMPLATE}" in cmd


@pytest.fixture(scope="module")
def context(require, unavailable):
    require("playwright.sync_api")
    if not os.access(present.CHROMIUM, os.X_OK):
        unavailable(f"Debian's chromium is not installed at {present.CHROMIUM} (.ci/run installs it)")
    with present.chromium() as ctx:
        yield ctx


def test_preheated_class_mode_shows_live_widgets_at_every_load(context, tmp_path):
    pages, traffic = [], present.Traffic()

    def inspect(page):
        page.wait_for_function(
            "n => document.querySelectorAll('.cnnmath-widget img').length >= n", arg=4, timeout=60_000
        )
        page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0", timeout=60_000)
        assert page.locator("mjx-merror").count() == 0, page.locator("mjx-merror").first.inner_text()
        pages.append((page.locator("body").inner_text(), page.locator(PLAIN_TEXT).all_inner_texts()))

    times = present.measure(
        context, preheat=True, loads=3, workdir=tmp_path, inspect=inspect, traffic=traffic
    )
    print("class mode, preheated: " + ", ".join(f"{t:.2f} s" for t in times))
    assert len(times) == 3 and all(0 < t < present.LOAD_S for t in times)
    # offline: every request that would have left loopback was aborted and recorded; there must be none
    # (Voilà's own lab template links Font Awesome from a CDN), no local request failed, no script broke
    traffic.assert_clean()
    for text, printed in pages:
        assert "dm = delta_map()" not in text and "Traceback" not in text  # code hidden, no errors
        counts = {s: len(re.findall(s, text)) for s in SHOWN_ONCE}
        assert counts == dict.fromkeys(SHOWN_ONCE, 1), counts
        # the one plain-text output left: the message for a stride too large, which no widget shows any more
        assert len(printed) == 1 and printed[0].startswith("Stride 9 is larger than the 5×5 input"), printed
