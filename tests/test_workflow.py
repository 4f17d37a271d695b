"""The researcher's workflow: tag, batch (order, errors, resume after kill -9, Dask), report, inputs."""

from __future__ import annotations

import codecs
import json
import os
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

import toolkit
from toolkit.batch import run
from toolkit.cli import app
from toolkit.errors import OutputExistsError

ROOT = Path(__file__).resolve().parent.parent
KO = "배급이 끊긴 뒤 어머니는 함경북도 무산의 장마당에서 국수를 팔아 식구를 먹여 살렸다."
EN = "A cousin who had reached Seoul years earlier paid the broker and stayed on the phone."


def test_public_api_is_pinned() -> None:
    assert toolkit.__all__ == sorted(toolkit.__all__)
    assert toolkit.__all__ == [
        "Analysis", "Analyzer", "BadRecord", "ConfigError", "Entity", "Evidence", "Failure", "InputError",
        "InputNotFoundError", "ModelError", "NktkError", "OutputExistsError", "Passage", "Record", "Token",
        "__version__", "classify", "extract_entities", "load", "read_records", "tokenize",
    ]


def test_library_analysis_matches_design_json() -> None:
    result = toolkit.load(tokens=True).analyze(f"{KO}\n\n{EN}")
    d = result.to_dict()
    assert set(d) == {"id", "lang", "passages", "entities", "tokens", "meta"}
    assert [p["lang"] for p in d["passages"]] == ["ko", "en"]
    for p in d["passages"]:
        assert set(p["scores"]) == {"structural", "economic", "pull", "network"}
        assert set(p["labels"]) <= set(p["scores"])
    text = f"{KO}\n\n{EN}"
    for item in d["entities"] + d["tokens"]:
        assert text[item["start"] : item["end"]] == item["text"]
    with pytest.raises(AttributeError):
        result.id = "x"  # type: ignore[misc]


def test_tag_html_is_escaped_and_offline(tmp_path: Path, runner: CliRunner) -> None:
    page = tmp_path / "a.txt"
    page.write_text(f"<script>alert('x')</script> {EN}\n\n{KO}", encoding="utf-8")
    out = tmp_path / "a.html"
    result = runner.invoke(app, ["tag", str(page), "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "http://" not in html and "https://" not in html and "src=" not in html
    assert "<mark class='PROVINCE'" in html and "North Hamgyong" in html
    assert "Entities by canonical name" in html


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_tag_formats(tmp_path: Path, runner: CliRunner, fmt: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "k", "text": KO, "year": 2019}, ensure_ascii=False) + "\n"
                   + json.dumps({"id": "e", "text": EN}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["tag", str(src), "--format", fmt, "--with-text"])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        docs = json.loads(result.stdout)
        assert [d["id"] for d in docs] == ["k", "e"] and docs[0]["meta"] == {"year": 2019}
        assert docs[0]["text"] == KO
    elif fmt == "jsonl":
        assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == ["k", "e"]
    else:
        lines = result.stdout.splitlines()
        assert lines[0].startswith("id,lang,passage,start,end") and len(lines) == 3


def _corpus(tmp_path: Path, n: int = 30) -> Path:
    src = tmp_path / "corpus.jsonl"
    lines = []
    for i in range(n):
        text = KO if i % 2 else EN
        lines.append(json.dumps({"id": f"r{i:03d}", "text": f"{text} ({i})"}, ensure_ascii=False))
        if i == 7:
            lines.append("{broken json")
        if i == 11:
            lines.append(json.dumps({"id": "no-text", "body": "x"}))
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return src


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_batch_order_errors_and_overwrite_protection(tmp_path: Path) -> None:
    src = _corpus(tmp_path, 12)
    out = tmp_path / "out.jsonl"
    summary = run([str(src)], out, workers=1)
    ids = _ids(out)
    assert len(ids) == 14 and summary.records == 14 and summary.errors == 2
    assert ids[:9] == [f"r{i:03d}" for i in range(8)] + [f"{src}:9"]
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert rows[8]["error"].startswith(f"{src}:9: malformed JSON")
    assert "no string 'text'" in rows[13]["error"]
    with pytest.raises(OutputExistsError):
        run([str(src)], out, workers=1)
    run([str(src)], out, workers=1, overwrite=True)
    assert _ids(out) == ids


@pytest.mark.slow
def test_batch_two_workers_equals_one(tmp_path: Path) -> None:
    src = _corpus(tmp_path, 16)
    run([str(src)], tmp_path / "one.jsonl", workers=1)
    run([str(src)], tmp_path / "two.jsonl", workers=2, chunksize=3)
    assert (tmp_path / "one.jsonl").read_text() == (tmp_path / "two.jsonl").read_text()


@pytest.mark.slow
def test_kill_9_then_resume_loses_and_repeats_nothing(tmp_path: Path) -> None:
    src = _corpus(tmp_path, 400)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "toolkit", "batch", str(src), "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        if out.exists() and out.read_text(encoding="utf-8").count("\n") >= 20:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = out.read_text(encoding="utf-8").count("\n")
    assert 20 <= partial < 402, "the run should have been killed midway"
    with out.open("a", encoding="utf-8") as fh:
        fh.write('{"id": "half-writ')  # what a kill during a write leaves behind
    done = subprocess.run([*cmd, "--resume"], capture_output=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr.decode()
    expected = [f"r{i:03d}" for i in range(400)]
    ids = [i for i in _ids(out) if i.startswith("r")]
    assert ids == expected
    assert len(_ids(out)) == 402  # the two bad input lines are error records
    assert all(line.endswith("}") for line in out.read_text(encoding="utf-8").splitlines())


def test_resume_with_other_arguments_is_refused(tmp_path: Path, runner: CliRunner) -> None:
    src = _corpus(tmp_path, 4)
    out = tmp_path / "o.jsonl"
    assert runner.invoke(app, ["batch", str(src), "--out", str(out), "--workers", "1"]).exit_code == 0
    result = runner.invoke(app, ["batch", str(src), "--out", str(out), "--workers", "1", "--resume", "--lang", "en"])
    assert result.exit_code == 1 and "different arguments" in result.stderr


@pytest.mark.slow
def test_dask_local_cluster_equals_local_run(tmp_path: Path) -> None:
    from distributed import LocalCluster

    src = _corpus(tmp_path, 10)
    run([str(src)], tmp_path / "local.jsonl", workers=1)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        run([str(src)], tmp_path / "dask.jsonl", scheduler=cluster.scheduler_address, chunksize=4)
    assert (tmp_path / "local.jsonl").read_text() == (tmp_path / "dask.jsonl").read_text()


def test_bad_input_matrix(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (d / "empty.txt").write_bytes(b"")
    (d / "cp949.txt").write_bytes(KO.encode("cp949"))
    (d / "utf16.txt").write_bytes(KO.encode("utf-16"))
    (d / "nfd.txt").write_text(unicodedata.normalize("NFD", KO), encoding="utf-8")
    (d / "bom.md").write_bytes(codecs.BOM_UTF8 + EN.encode())
    (d / "punct.txt").write_text("!!! ... ??? ---", encoding="utf-8")
    (d / "emoji.txt").write_text("😀🎉🇰🇷 😀", encoding="utf-8")
    (d / "recs.jsonl").write_text('{"id": "ok", "text": "fine"}\n{oops\n{"id": "nt"}\n', encoding="utf-8")
    (d / "big.txt").write_text(("장마당에서 장사를 했다. " * 20 + "\n\n") * 3000, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = run([str(d)], out, workers=1)
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert summary.records == len(rows) == 12
    assert "error" in rows[str(d / "binary.txt")]
    assert rows[str(d / "empty.txt")]["passages"] == []
    for name in ("cp949.txt", "utf16.txt", "nfd.txt"):
        assert [e["id"] for e in rows[str(d / name)]["entities"]][:1] == ["KP-09"], name
    assert "economic" in rows[str(d / "big.txt")]["passages"][0]["labels"]
    assert "error" not in rows[str(d / "punct.txt")] and "error" not in rows[str(d / "emoji.txt")]
    assert sum("error" in r for r in rows.values()) == 3


@pytest.mark.slow
def test_twenty_megabyte_single_record(tmp_path: Path) -> None:
    """One 20 MB record (Korean, 3 bytes a character) gives one complete result, in bounded passages."""
    big = tmp_path / "big.txt"
    paragraph = "배급이 끊긴 뒤 어머니는 장마당에서 국수를 팔았다. 브로커가 국경까지 안내했다. " * 12
    big.write_text((paragraph + "\n\n") * (20_000_000 // len((paragraph + "\n\n").encode()) + 1), encoding="utf-8")
    assert big.stat().st_size >= 20_000_000
    out = tmp_path / "out.jsonl"
    summary = run([str(big)], out, workers=1)
    assert summary.records == 1 and summary.errors == 0
    row = json.loads(out.read_text(encoding="utf-8"))
    assert len(row["passages"]) > 10_000
    assert "economic" in row["passages"][0]["labels"]


def test_html_and_pdf_inputs(tmp_path: Path) -> None:
    page = tmp_path / "article.html"
    page.write_text(
        "<html><head><title>Border towns</title><meta name='author' content='Jane Doe'></head><body>"
        "<nav>Home | News | Login</nav><article><h1>Border towns</h1>"
        f"<p>{EN} It was a long journey through Laos and Thailand before she reached Seoul.</p>"
        f"<p>{KO} 어머니는 그 돈으로 동생들을 학교에 보냈다.</p></article>"
        "<footer>Copyright Example News</footer></body></html>", encoding="utf-8")
    rec = next(iter(toolkit.read_records([page])))
    assert isinstance(rec, toolkit.Record)
    assert "Home | News" not in rec.text and "Copyright" not in rec.text
    assert rec.meta["title"] == "Border towns" and rec.meta["author"] == "Jane Doe"
    assert len(toolkit.load().analyze(rec).passages) >= 2

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    pdf = tmp_path / "report.pdf"
    with PdfPages(pdf) as pages:
        for text in ("Women from North Hamgyong traded at the market.", "A broker took them across the river."):
            fig = Figure()
            fig.text(0.1, 0.5, text)
            pages.savefig(fig)
    result = toolkit.load().analyze(next(iter(toolkit.read_records([pdf]))))  # type: ignore[arg-type]
    assert [p.meta["page"] for p in result.passages] == [1, 2]
    assert result.entities[0].id == "KP-09"

    scan = tmp_path / "scan.pdf"
    with PdfPages(scan) as pages:
        fig = Figure()
        fig.add_subplot().imshow([[0, 1], [1, 0]])
        fig.axes[0].axis("off")
        pages.savefig(fig)
    bad = next(iter(toolkit.read_records([scan])))
    assert isinstance(bad, toolkit.BadRecord) and "no text layer" in bad.error


def test_report(tmp_path: Path, runner: CliRunner) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"id": f"d{i}", "text": KO if i % 2 else EN, "year": 2015 + i % 3,
                                         "source": "A" if i < 3 else "B"}, ensure_ascii=False) for i in range(6))
                   + "\n", encoding="utf-8")
    results = tmp_path / "res.jsonl"
    run([str(src)], results, workers=1)
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(results), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<svg" in html and "http://www.w3.org" in html.split("<svg", 1)[1][:400]  # SVG namespace only
    assert "<script" not in html and "src=" not in html
    tables = tmp_path / "report_tables"
    for name in ("factor_shares", "factor_shares_by_year", "factor_shares_by_source", "top_provinces",
                 "factor_by_province", "factor_cooccurrence"):
        assert (tables / f"{name}.csv").stat().st_size > 0, name
    shares = (tables / "factor_shares.csv").read_text().splitlines()
    assert shares[0].startswith("group,passages,structural,economic,pull,network,none")
    assert any(line.startswith("ko,3,") for line in shares)
    run([str(src)], tmp_path / "res.parquet", workers=1, fmt="parquet")
    again = runner.invoke(app, ["report", str(tmp_path / "res.parquet"), "--out", str(tmp_path / "r2.html")])
    assert again.exit_code == 0, again.output


def test_analysis_round_trips_through_its_dict() -> None:
    result = toolkit.load(tokens=True, with_text=True).analyze(f"{KO}\n\n{EN}")
    again = toolkit.Analysis.from_dict(result.to_dict())
    assert again.to_dict() == result.to_dict()


def test_report_groups_province_level_cities_with_provinces(tmp_path: Path) -> None:
    """Pyongyang is LOC (ANNOTATION.md) but a region of origin; Shenyang is neither."""
    from toolkit.report import overview

    ents = [{"start": 0, "end": 9, "label": "LOC", "canonical": "Pyongyang", "id": "KP-01"},
            {"start": 20, "end": 34, "label": "PROVINCE", "canonical": "North Hamgyong", "id": "KP-09"},
            {"start": 40, "end": 48, "label": "LOC", "canonical": "Shenyang", "id": "loc:shenyang"}]
    rec = {"id": "r1", "passages": [{"start": 0, "end": 60, "lang": "en", "kind": "body", "labels": ["economic"]}],
           "entities": ents}
    results = tmp_path / "res.jsonl"
    results.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    regions = {row["province"]: row for row in overview(results).tables["factor_by_province"]}
    assert set(regions) == {"Pyongyang", "North Hamgyong"}
    assert regions["Pyongyang"]["economic"] == 1
