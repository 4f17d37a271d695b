"""``nktk review`` speed, each figure beside its baseline in one run.

1. first page: from the moment ``Review at …`` is printed to the first passage
   shown in Chromium (page, script, style and ``/api/state`` loaded, the passage
   rendered), beside the same Chromium loading a static page of the same size
   from ``python -m http.server`` (the browser's floor).
   Target: 1 s.
2. saves: the server-side time of each ``POST /api/save`` (its ``Server-Timing``
   header: validation, building the record, the write and its fsync, the next
   state), made by the page's own ``fetch`` in Chromium, beside a bare
   ``os.write`` + ``os.fsync`` of lines of the same sizes on the same disk; and
   the round trip the page sees. Target: 100 ms.

The browser is started before the server, so its own start-up is not counted.
Usage: python bench/review.py [--runs 3] [--saves 40]  (needs chromium and chromium-driver)
"""

from __future__ import annotations

import sys

_here = sys.path.pop(0)  # bench/tokenize.py would shadow the standard library's tokenize
sys.path.append(_here)
sys.path.append(str(__import__("pathlib").Path(_here).parent / "tests"))

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _corpus import ROOT, machine
from _review import ReviewServer, chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

SAMPLES = [str(ROOT / "corpora" / "samples")]


def _shown(driver: object) -> bool:
    return bool(driver.find_element(By.ID, "passage").text)  # type: ignore[attr-defined]


def first_page(driver: object, runs: int, tmp: Path) -> None:
    browser: list[float] = []
    startup: list[float] = []
    for n in range(runs):
        out = tmp / f"first-{n}.jsonl"
        with ReviewServer(SAMPLES, out) as server:
            driver.get(server.url)  # type: ignore[attr-defined]
            WebDriverWait(driver, 10, poll_frequency=0.005).until(_shown)
            browser.append(time.perf_counter() - server.printed)
            startup.append(server.printed - server.started)
    floor = static_floor(driver, tmp, runs)
    print("1. first passage on screen after the address is printed (target 1 s)")
    print(f"   Chromium, nktk review          median {statistics.median(browser):.3f} s  max {max(browser):.3f} s")
    print(f"   Chromium, static page (floor)  median {statistics.median(floor):.3f} s  max {max(floor):.3f} s")
    print(f"   (start to address: analysing {len(SAMPLES)} folder of samples, "
          f"median {statistics.median(startup):.1f} s; not part of the target)\n")


def static_floor(driver: object, tmp: Path, runs: int) -> list[float]:
    """Chromium loading a page, script and style of the app's size from Python's plain HTTP server."""
    site = tmp / "site"
    site.mkdir(exist_ok=True)
    static = ROOT / "toolkit" / "review" / "static"
    for name in ("review.js", "review.css"):
        (site / name).write_bytes((static / name).read_bytes())
    page = '<!doctype html><link rel="stylesheet" href="review.css">'
    page += '<script src="review.js" defer></script><p id="passage">passage</p>'
    (site / "index.html").write_text(page, encoding="utf-8")
    times = []
    for _ in range(runs):
        proc = subprocess.Popen([sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1"], cwd=site,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert proc.stdout is not None
            port = int(proc.stdout.readline().split("port ")[1].split()[0])
            began = time.perf_counter()
            driver.get(f"http://127.0.0.1:{port}/index.html")  # type: ignore[attr-defined]
            WebDriverWait(driver, 10, poll_frequency=0.005).until(_shown)
            times.append(time.perf_counter() - began)
        finally:
            proc.terminate()
            proc.wait()
    return times


_SAVES = """
const [count, token, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const headers = {"X-Nktk-Token": token, "Content-Type": "application/json"};
(async () => {
  let state = await (await fetch("/api/state", {headers})).json();
  const out = [];
  for (let i = 0; i < count && state.item; i++) {
    const item = state.item;
    const body = JSON.stringify({id: item.id, labels: item.model.labels, entities: item.entities.map(
      e => ({start: e.start, end: e.end, label: e.label, canonical: e.canonical, id: e.id}))});
    const began = performance.now();
    const r = await fetch("/api/save", {method: "POST", headers, body});
    state = await r.json();
    out.push([performance.now() - began, Number(r.headers.get("server-timing").split("dur=")[1])]);
  }
  done(out);
})().catch(e => done(String(e)));
"""


def saves(driver: object, count: int, tmp: Path) -> None:
    """Saves made by the page's own ``fetch``, as the Enter key makes them."""
    out = tmp / "saves.jsonl"
    with ReviewServer(SAMPLES, out) as server:
        driver.get(server.url)  # type: ignore[attr-defined]
        WebDriverWait(driver, 10).until(_shown)
        timings = driver.execute_async_script(_SAVES, count, server.token)  # type: ignore[attr-defined]
    if isinstance(timings, str):
        raise SystemExit(f"saves failed in the page: {timings}")
    client_ms, server_ms = [t[0] for t in timings], [t[1] for t in timings]
    sizes = [len(line) + 1 for line in out.read_bytes().splitlines()]
    bare = []
    fd = os.open(tmp / "bare.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        for size in sizes:
            began = time.perf_counter()
            os.write(fd, b"x" * (size - 1) + b"\n")
            os.fsync(fd)
            bare.append((time.perf_counter() - began) * 1000)
    finally:
        os.close(fd)
    print(f"2. each save, {len(server_ms)} passages (target 100 ms server side)")
    print(f"   server side (Server-Timing)    median {statistics.median(server_ms):.2f} ms  "
          f"p95 {_p95(server_ms):.2f} ms  max {max(server_ms):.2f} ms")
    print(f"   bare write + fsync (baseline)  median {statistics.median(bare):.2f} ms  "
          f"p95 {_p95(bare):.2f} ms  max {max(bare):.2f} ms")
    print(f"   round trip in Chromium         median {statistics.median(client_ms):.2f} ms  "
          f"p95 {_p95(client_ms):.2f} ms")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--saves", type=int, default=40)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    print(f"inputs: {', '.join(Path(s).relative_to(ROOT).as_posix() for s in SAMPLES)}\n")
    driver = chrome()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            first_page(driver, args.runs, Path(tmp))
            saves(driver, args.saves, Path(tmp))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
