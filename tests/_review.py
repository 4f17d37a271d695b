"""Test helpers for ``nktk review``: a real server process, and Chromium for the browser tests."""

from __future__ import annotations

import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
URL_LINE = re.compile(r"^Review at (http://127\.0\.0\.1:(\d+))/\?token=([A-Za-z0-9_-]{20,})$")
INSTALL = "sudo apt-get install -y chromium chromium-driver"


class ReviewServer:
    """``nktk review INPUTS --out OUT --no-browser`` in a subprocess, with its printed address."""

    def __init__(self, inputs: list[str], out: Path, *extra: str, timeout: float = 120.0) -> None:
        cmd = [sys.executable, "-m", "toolkit", "review", *inputs, "--out", str(out), "--no-browser", *extra]
        self.stdout_rest = self.stderr = ""
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.line = _read_line(self.proc, timeout)
        self.printed = time.perf_counter()
        m = URL_LINE.match(self.line)
        if m is None:
            self.stop()
            raise AssertionError(f"not the one address line: {self.line!r}; stderr: {self.stderr}")
        self.base, self.port, self.token = m.group(1), int(m.group(2)), m.group(3)
        self.url = f"{self.base}/?token={self.token}"

    def headers(self) -> dict[str, str]:
        return {"X-Nktk-Token": self.token}

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig``, wait, and return the exit status (stdout's rest and stderr are kept)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            out, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        self.stdout_rest, self.stderr = out, err
        return self.proc.returncode

    def __enter__(self) -> ReviewServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    if not sel.select(timeout):
        proc.kill()
        raise AssertionError(f"no address printed within {timeout}s")
    line = proc.stdout.readline()
    if not line:
        _, err = proc.communicate()
        raise AssertionError(f"the server exited ({proc.returncode}) before printing: {err}")
    return line.rstrip("\n")


def chromium_paths() -> tuple[str, str]:
    """The system Chromium and ChromeDriver; fails (never skips) with the install command when absent."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.fail(f"the browser tests need Debian's Chromium and ChromeDriver; install them with: {INSTALL}",
                    pytrace=False)
    return browser, driver


def chrome(size: tuple[int, int] = (1280, 860)) -> Any:
    """A headless Chromium driven by Selenium, from the system packages (nothing is downloaded)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = chromium_paths()
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", f"--window-size={size[0]},{size[1]}", "--lang=en-US"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Selenium Manager would look for a driver online; the service names the system one.
    os.environ.setdefault("SE_OFFLINE", "true")
    return webdriver.Chrome(service=Service(driver), options=opts)


def small_corpus(folder: Path, every: int = 25) -> int:
    """Every ``every``-th record of each split of the bundled corpus in ``folder``: a fast base for ``train --fast``."""
    folder.mkdir()
    total = 0
    for split in ("train", "dev", "test"):
        lines = (ROOT / "corpora" / "factors" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()[::every]
        total += len(lines)
        (folder / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return total
