"""Packaging: a built wheel carries its data and works from any directory; pipelines pickle."""

from __future__ import annotations

import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_carries_data_and_runs_outside_the_repository(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True, timeout=300)
    wheel = next((tmp_path / "dist").glob("nktk-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for required in ("toolkit/py.typed", "toolkit/_data/models/factors.skops",
                     "toolkit/_data/models/factors.card.json", "toolkit/_data/lexicon/cues.tsv",
                     "toolkit/_data/gazetteer/places.tsv", "toolkit/_data/gazetteer/orgs.tsv"):
        assert required in names, required
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import toolkit, toolkit.data as d; "
            f"assert str(d.data_dir('models')).startswith({str(site)!r}), d.data_dir('models'); "
            "r = toolkit.load().analyze('배급이 끊긴 뒤 함경북도 장마당에서 국수를 팔았다.'); "
            "print(r.entities[0].id, ' '.join(r.passages[0].labels))")
    out = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, capture_output=True, text=True,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[0] == "KP-09" and "economic" in out.stdout


def test_korean_pipeline_pickles_into_another_process_by_settings() -> None:
    from toolkit.pipeline import get_nlp

    tokenizer = get_nlp("ko", backend="mecab").tokenizer
    clone = pickle.loads(pickle.dumps(tokenizer))
    assert clone.backend == "mecab"
    assert [t.text for t in clone("함경북도에서 왔다")][:2] == ["함경북도", "에서"]


def test_analyzer_pickles_as_settings() -> None:
    import toolkit

    analyzer = toolkit.load(lang="ko", tokens=True)
    clone = pickle.loads(pickle.dumps(analyzer))
    assert clone.settings() == analyzer.settings()
