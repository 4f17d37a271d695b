"""Packaging: a built wheel carries its data and works from any directory; pipelines pickle; spaCy entry
points load without importing toolkit; a plain install runs without the extras and names a missing one."""

from __future__ import annotations

import json
import os
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


ENTRY_POINTS = """
import sys

import spacy

assert "toolkit" not in sys.modules
nlp = spacy.blank("en")  # spaCy imports every spacy_factories entry point here
assert "toolkit.gazetteer" in sys.modules, "entry point not loaded: reinstall with pip install -e ."
nlp.add_pipe("nktk_gazetteer")
doc = nlp("She came from North Hamgyong.")
assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == [("North Hamgyong", "PROVINCE", "KP-09")], doc.ents
assert [e.id for e in doc._.nktk_entities] == ["KP-09"]
assert "toolkit.korean" not in sys.modules
ko = spacy.blank("ko", config={"nlp": {"tokenizer": {"@tokenizers": "nktk.KoreanTokenizer.v1"}}})
assert spacy.registry.tokenizers.get_entry_point("nktk.KoreanTokenizer.v1").__module__ == "toolkit.korean"
print(" ".join(t.text for t in ko("함경북도에서 왔다")))
"""


def test_spacy_entry_points_load_without_importing_toolkit(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", ENTRY_POINTS], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[:2] == ["함경북도", "에서"]


def test_missing_extra_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from toolkit.errors import ConfigError
    from toolkit.extras import require
    from toolkit.io import BadRecord, read_records
    from toolkit.io.tables import read_table

    monkeypatch.setitem(sys.modules, "pypdf", None)  # importing pypdf now raises ImportError
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes((ROOT / "corpora/documents/files/en-a-01.pdf").read_bytes())
    bad = next(iter(read_records([pdf])))
    assert isinstance(bad, BadRecord)
    assert bad.error == f"{pdf}: reading PDF files needs the optional package pypdf: pip install 'nktk[pdf]'"
    with pytest.raises(ConfigError, match=r"^reading PDF files needs the optional package pypdf: "
                                          r"pip install 'nktk\[pdf\]'$"):
        require("pypdf", "pdf", "reading PDF files")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # in case an earlier test imported it
    with pytest.raises(ConfigError, match=r"nktk\[parquet\]'$"):
        read_table(tmp_path / "results.parquet")
    # installed but broken: the missing dependency is named too, still on one line
    (tmp_path / "nktk_broken_extra.py").write_text("import nktk_no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ConfigError) as info:
        require("nktk_broken_extra", "pdf", "reading PDF files")
    assert str(info.value) == ("reading PDF files needs the optional package nktk_broken_extra "
                               "(No module named 'nktk_no_such_dependency'): pip install 'nktk[pdf]'")


@pytest.mark.slow
def test_pip_install_without_extras_tags_text_and_names_the_pdf_extra(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python, nktk = venv / "bin" / "python", venv / "bin" / "nktk"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    install = subprocess.run([python, "-m", "pip", "install", "-q", str(ROOT)], capture_output=True, text=True,
                             env=env, timeout=900)
    assert install.returncode == 0, install.stderr
    extras = ("pypdf", "trafilatura", "pyarrow", "matplotlib", "distributed", "kiwipiepy")
    probe = subprocess.run([python, "-c", "import pypdf"], capture_output=True, text=True, env=env, timeout=60)
    assert probe.returncode == 1 and "No module named 'pypdf'" in probe.stderr
    code = f"import importlib.util as u; print([m for m in {extras} if u.find_spec(m)])"
    found = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert found.stdout.strip() == "[]", found.stdout  # no core dependency pulls an extra in

    (tmp_path / "article.txt").write_text("After the rations stopped, my mother sold noodles at the market "
                                          "in North Hamgyong to feed us.\n", encoding="utf-8")
    tag = subprocess.run([nktk, "tag", "article.txt"], cwd=tmp_path, capture_output=True, text=True, env=env,
                         timeout=300)
    assert tag.returncode == 0, tag.stderr
    result = json.loads(tag.stdout)
    assert result["passages"] and "economic" in result["passages"][0]["labels"]
    assert [e["id"] for e in result["entities"]] == ["KP-09"]

    (tmp_path / "report.pdf").write_bytes((ROOT / "corpora/documents/files/en-a-01.pdf").read_bytes())
    tag = subprocess.run([nktk, "tag", "report.pdf"], cwd=tmp_path, capture_output=True, text=True, env=env,
                         timeout=300)
    assert tag.returncode == 1
    assert tag.stderr.splitlines() == ["nktk: error: report.pdf: reading PDF files needs the optional package pypdf: "
                                       "pip install 'nktk[pdf]'"], tag.stderr


def test_import_and_the_command_line_load_no_heavy_library() -> None:
    """`import toolkit`, the CLI and a batch's reading process stay light (fast --help, --version)."""
    code = ("import sys, toolkit, toolkit.cli, toolkit.batch, toolkit.parallel, toolkit.io; "
            "toolkit.Failure; toolkit.Record; "
            "heavy = {'spacy', 'sklearn', 'scipy', 'numpy', 'skops', 'mecab_ko', 'jpype', 'matplotlib', 'pyarrow', "
            "'trafilatura', 'pypdf', 'distributed'} & {m.split('.')[0] for m in sys.modules}; "
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]"


def test_public_functions_are_not_shadowed_by_submodules() -> None:
    """A submodule imported later (the pipeline's own) never replaces a public function of the package."""
    code = ("import importlib, toolkit; "
            "[importlib.import_module('toolkit.' + m) for m in ('parsing', 'entities', 'analyzer', 'factors')]; "
            "print(all(callable(getattr(toolkit, n)) and not isinstance(getattr(toolkit, n), type(toolkit)) "
            "for n in ('tokenize', 'classify', 'extract_entities', 'load')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert out.stdout.strip() == "True", out.stderr
