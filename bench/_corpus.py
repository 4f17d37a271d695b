"""Benchmark text: the project's own corpus passages (written for nktk), repeated to a size."""

from __future__ import annotations

import json
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def passages(lang: str | None = None) -> list[str]:
    """All corpus passages of ``lang`` (both languages if ``None``), in file order."""
    out = []
    for name in ("train", "dev", "test"):
        for line in (ROOT / "corpora" / "factors" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if lang is None or rec["lang"] == lang:
                out.append(rec["text"])
    return out


def sized(lang: str, kilobytes: int) -> list[str]:
    """Passages of ``lang`` cycled until their UTF-8 size reaches ``kilobytes``."""
    pool, out, size = passages(lang), [], 0
    while size < kilobytes * 1000:
        text = pool[len(out) % len(pool)]
        out.append(text)
        size += len(text.encode())
    return out


def machine() -> str:
    """One line naming the machine the numbers come from."""
    import os

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
