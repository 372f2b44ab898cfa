"""The documentation site opens in a real browser: docs/screenshot.py builds it, serves it
on 127.0.0.1 and checks headless Chromium screenshots of the home page and an API page.
Skipped where Chromium or mkdocs is missing (CI builds the site with mkdocs itself)."""
import importlib.util
import os
import shutil
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _screenshot_module():
    spec = importlib.util.spec_from_file_location(
        "docs_screenshot", os.path.join(ROOT, "docs", "screenshot.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_blank_png_is_rejected(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    shots = _screenshot_module()
    fig = plt.figure(figsize=(6, 4))
    blank = str(tmp_path / "blank.png")
    fig.savefig(blank)
    plt.close(fig)
    with pytest.raises(AssertionError, match="blank"):
        shots.check_png(blank)
    fig, ax = plt.subplots(figsize=(6, 4))
    for i in range(40):
        ax.text(0.02, i / 40, "Ember documentation " * 4, fontsize=7)
    busy = str(tmp_path / "text.png")
    fig.savefig(busy)
    plt.close(fig)
    width, height, rows = shots.png_pixels(busy)
    assert (width, height) == (600, 400) and len(rows) == 400 and len(rows[0]) == 1800


@pytest.mark.slow
def test_home_and_api_pages_render_in_chromium(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    if not any(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    shots = _screenshot_module()
    results = shots.main(["--out", str(tmp_path)])
    assert [os.path.basename(r["path"]) for r in results] == ["home.png", "api_autograd.png"]
    for r in results:
        assert (r["width"], r["height"]) == (1280, 900)
        assert r["bytes"] > 20_000 and r["variance"] > 200
    assert sys.modules.get("docs_screenshot") is None  # loaded by path, not as a package
