"""The command line through Typer's CliRunner, and once as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from toolkit.cli import app

KO = "함경북도에서 온 여성들은 장마당에서 장사를 했다."


def test_tokenize_json_from_stdin(runner: CliRunner) -> None:
    result = runner.invoke(app, ["tokenize", "-", "--format", "json"], input=KO)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["lang"] == "ko"
    assert [t["text"] for t in doc["tokens"][:2]] == ["함경북도", "에서"]
    for tok in doc["tokens"]:
        assert KO[tok["start"] : tok["end"]] == tok["text"]
        assert set(tok) == {"text", "start", "end", "pos", "tag", "lemma"}


def test_tokenize_jsonl_and_conllu(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "text": "Women traded."}\n{"id": "b", "text": "장사를 했다."}\n', encoding="utf-8")
    out = runner.invoke(app, ["tokenize", str(path), "--format", "jsonl"])
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [(r["id"], r["lang"]) for r in lines] == [("a", "en"), ("b", "ko")]
    conllu = runner.invoke(app, ["tokenize", str(path), "--format", "conllu"]).stdout
    assert "# sent_id = a-p1-1\n# text = Women traded.\n1\tWomen" in conllu
    for block in conllu.strip().split("\n\n"):
        rows = [r for r in block.splitlines() if not r.startswith("#")]
        assert all(len(r.split("\t")) == 10 for r in rows)
        assert [int(r.split("\t")[0]) for r in rows] == list(range(1, len(rows) + 1))


def test_cp949_file_and_binary_file(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "ko.txt"
    good.write_bytes(KO.encode("cp949"))
    result = runner.invoke(app, ["tokenize", str(good), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["tokens"][0]["text"] == "함경북도"
    binary = tmp_path / "x.bin.txt"
    binary.write_bytes(bytes(range(256)) * 16)
    result = runner.invoke(app, ["tokenize", str(binary)])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith(f"nktk: error: {binary}: binary or undecodable")


def test_missing_file_is_one_line(runner: CliRunner) -> None:
    result = runner.invoke(app, ["tokenize", "does-not-exist.txt"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "nktk: error: does-not-exist.txt: no such file or directory"


def test_help_and_version(runner: CliRunner) -> None:
    assert "tokenize" in runner.invoke(app, ["--help"]).stdout
    assert "--backend" in runner.invoke(app, ["tokenize", "--help"]).stdout
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("nktk ")


def test_unknown_backend_is_a_user_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["tokenize", "-", "--backend", "nope"], input=KO)
    assert result.exit_code == 1
    assert "unknown Korean backend 'nope'" in result.stderr


def test_real_subprocess(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "toolkit", "tokenize", "-", "--format", "json"],
                          input=KO.encode(), capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["tokens"][1]["text"] == "에서"
