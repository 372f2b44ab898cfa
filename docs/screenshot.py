"""Build the documentation site, serve it on 127.0.0.1 and take headless Chromium
screenshots of the home page and one API page; check each PNG is a real page (not blank).

    python docs/screenshot.py [--out DIR] [--no-build]

Needs mkdocs (`pip install -e ".[docs]"`) and Chromium (`apt-get install chromium`).
Exits non-zero if a screenshot is missing, tiny or blank.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGES = {"home.png": "", "api_autograd.png": "api/autograd/"}
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def build_site(site_dir: str) -> None:
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
                    "-d", site_dir], cwd=ROOT, check=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def png_pixels(path: str) -> tuple[int, int, list[bytes]]:
    """Width, height and the raw (unfiltered) rows of an 8-bit RGB/RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            if depth != 8 or color not in (2, 6):
                raise ValueError(f"{path}: only 8-bit RGB/RGBA PNGs are read here")
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):  # undo the PNG row filters
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line[i] for i in range(stride) if i % channels < 3))
        prev = line
    return width, height, rows


def check_png(path: str) -> dict:
    """Size and pixel statistics of a screenshot; raises if it looks blank."""
    size = os.path.getsize(path)
    width, height, rows = png_pixels(path)
    values = [v for row in rows[::8] for v in row[::24]]   # a sample of the pixels
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    dark = sum(v < 128 for v in values) / len(values)     # text, headers, code
    info = {"path": path, "bytes": size, "width": width, "height": height,
            "variance": round(variance, 1), "dark_share": round(dark, 3)}
    if size < 20_000 or variance < 200 or not 0.005 < dark < 0.9:
        raise AssertionError(f"screenshot looks blank or broken: {info}")
    return info


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site_dir: str):
    handler = functools.partial(_QuietHandler, directory=site_dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def screenshot(chromium: str, url: str, path: str) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--user-data-dir={profile}",
                        f"--screenshot={path}", "--window-size=1280,900",
                        "--virtual-time-budget=5000", url],
                       check=True, capture_output=True, timeout=120)


def main(argv=None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=os.path.join(ROOT, "runs", "screenshots"))
    p.add_argument("--site", default=None, help="a built site to serve (default: build one)")
    args = p.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("Chromium not found (Debian: apt-get install chromium)")
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = os.path.join(tmp, "site")
            build_site(site)
        server = serve(site)
        try:
            base = f"http://127.0.0.1:{server.server_address[1]}/"
            results = []
            for name, page in PAGES.items():
                path = os.path.join(args.out, name)
                screenshot(chromium, base + page, path)
                results.append(check_png(path))
        finally:
            server.shutdown()
    for r in results:
        print(f"{r['path']}: {r['width']}x{r['height']}, {r['bytes']:,} bytes, pixel variance "
              f"{r['variance']}, dark share {r['dark_share']}")
    return results


if __name__ == "__main__":
    main()
