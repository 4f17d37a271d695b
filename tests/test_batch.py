"""Batch guarantees: one writer per output, every I/O failure one line and resumable, passages spread
over workers with output identical to one worker, and library use without a main guard."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit import batch as batch_module
from toolkit.batch import run
from toolkit.cli import app
from toolkit.errors import OutputLockedError

ROOT = Path(__file__).resolve().parent.parent
KO = "배급이 끊긴 뒤 어머니는 함경북도 무산의 장마당에서 국수를 팔아 식구를 먹여 살렸다."
EN = "A cousin who had reached Seoul years earlier paid the broker and stayed on the phone."


def _corpus(path: Path, n: int, big_paragraphs: int = 0) -> Path:
    """``n`` short records, and after the third one a record of ``big_paragraphs`` paragraphs."""
    lines = []
    for i in range(n):
        lines.append(json.dumps({"id": f"r{i:03d}", "text": f"{KO if i % 2 else EN} ({i})"}, ensure_ascii=False))
        if i == 2 and big_paragraphs:
            paras = [f"{KO if k % 3 else EN} 단락 {k}." for k in range(big_paragraphs)]
            lines.append(json.dumps({"id": "big", "text": "\n\n".join(paras)}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]


def _wait_for_lines(path: Path, n: int, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        if path.exists() and path.read_bytes().count(b"\n") >= n:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} did not reach {n} lines (exit status {proc.poll()})")


def _batch_cmd(src: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "toolkit", "batch", str(src), "--out", str(out), "--workers", "1", *extra]


# --- one writer per output ---------------------------------------------------------------------------


@pytest.mark.slow
def test_second_run_on_the_same_output_is_refused_and_the_first_writes_each_record_once(
        tmp_path: Path, runner: CliRunner) -> None:
    src = _corpus(tmp_path / "c.jsonl", 300)
    out = tmp_path / "out.jsonl"
    first = subprocess.Popen(_batch_cmd(src, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _wait_for_lines(out, 10, first)
    for extra in ([], ["--resume"], ["--overwrite"]):
        second = runner.invoke(app, ["batch", str(src), "--out", str(out), "--workers", "1", *extra])
        assert second.exit_code == 1, extra
        assert second.stderr.count("\n") == 1, second.stderr
        assert f"pid {first.pid}" in second.stderr and str(out) in second.stderr
    assert first.wait(timeout=600) == 0, first.stderr.read().decode() if first.stderr else ""
    assert _ids(out) == [f"r{i:03d}" for i in range(300)]
    assert not (tmp_path / "out.jsonl.nktk-lock").exists()


@pytest.mark.slow
def test_kill_9_of_the_lock_holder_then_resume_takes_the_stale_lock_over(tmp_path: Path) -> None:
    src = _corpus(tmp_path / "c.jsonl", 300)
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(_batch_cmd(src, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    _wait_for_lines(out, 10, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    lock = tmp_path / "out.jsonl.nktk-lock"
    assert lock.read_text().strip() == str(proc.pid)  # the dead holder's file is still there
    done = subprocess.run(_batch_cmd(src, out, "--resume"), capture_output=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert _ids(out) == [f"r{i:03d}" for i in range(300)]
    assert not lock.exists()


def test_a_held_lock_is_refused_in_the_library_too(tmp_path: Path) -> None:
    from toolkit.io.lock import OutputLock

    out = tmp_path / "o.jsonl"
    with OutputLock(out), pytest.raises(OutputLockedError, match=f"pid {os.getpid()}"):
        run([str(_corpus(tmp_path / "c.jsonl", 2))], out, workers=1)
    assert not out.exists()


# --- I/O failures: one line, exit status 1, resumable ----------------------------------------------


def test_full_disk_is_one_line_and_the_output_resumes(tmp_path: Path, runner: CliRunner,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    src = _corpus(tmp_path / "c.jsonl", 40)
    clean = tmp_path / "clean.jsonl"
    run([str(src)], clean, workers=1, chunksize=8)
    out = tmp_path / "out.jsonl"
    room = {"bytes": len(clean.read_bytes()) // 2}  # the disk fills up in the middle of a line
    real_write = os.write

    def full_disk(fd: int, data: memoryview) -> int:
        if room["bytes"] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = real_write(fd, data[: room["bytes"]])
        room["bytes"] -= n
        return n

    monkeypatch.setattr(batch_module.os, "write", full_disk)
    result = runner.invoke(app, ["batch", str(src), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert str(out) in result.stderr and "No space left on device" in result.stderr and "--resume" in result.stderr
    assert not out.read_bytes().endswith(b"\n")  # a half-written line was left behind
    monkeypatch.setattr(batch_module.os, "write", real_write)
    again = runner.invoke(app, ["batch", str(src), "--out", str(out), "--workers", "1", "--resume"])
    assert again.exit_code == 0, again.stderr
    assert out.read_text(encoding="utf-8") == clean.read_text(encoding="utf-8")


def test_read_only_output_folder_is_one_line(tmp_path: Path, runner: CliRunner,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    src = _corpus(tmp_path / "c.jsonl", 2)
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
    else:  # root writes through permission bits: refuse writes in the folder as a read-only mount would
        real_open = os.open

        def read_only(path: str | os.PathLike[str], flags: int, *args: int, **kw: object) -> int:
            if str(path).startswith(str(folder)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
            return real_open(path, flags, *args, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "open", read_only)
    try:
        for command in (["batch", str(src), "--out", str(folder / "o.jsonl"), "--workers", "1"],
                        ["tag", str(src), "--out", str(folder / "o.json")]):
            result = runner.invoke(app, command)
            assert result.exit_code == 1, command
            assert result.stderr.count("\n") == 1, result.stderr
            assert str(folder) in result.stderr and "Traceback" not in result.stderr
    finally:
        folder.chmod(0o755)


def test_an_input_deleted_during_the_run_is_one_line_and_resumes(tmp_path: Path, runner: CliRunner,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(f"{EN} ({i})", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    from toolkit.io import records

    real_expand = records.expand

    def then_deleted(inputs: list[str]) -> object:
        for n, path in enumerate(real_expand(inputs)):
            if n == 1:
                Path(path).rename(tmp_path / "moved.txt")  # gone after it was listed
            yield path

    monkeypatch.setattr(records, "expand", then_deleted)
    result = runner.invoke(app, ["batch", str(folder), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and str(folder / "1.txt") in result.stderr, result.stderr
    assert _ids(out) == [str(folder / "0.txt")]
    monkeypatch.setattr(records, "expand", real_expand)
    (tmp_path / "moved.txt").rename(folder / "1.txt")
    again = runner.invoke(app, ["batch", str(folder), "--out", str(out), "--workers", "1", "--resume"])
    assert again.exit_code == 0, again.stderr
    assert _ids(out) == [str(folder / f"{i}.txt") for i in range(3)]


@pytest.mark.parametrize("stdout", ["closed", "/dev/full"])
def test_a_closed_or_full_stdout_is_one_line(tmp_path: Path, stdout: str) -> None:
    text = tmp_path / "a.txt"
    text.write_text(EN, encoding="utf-8")
    cmd = [sys.executable, "-m", "toolkit", "tag", str(text)]
    if stdout == "closed":
        proc = subprocess.run(cmd, preexec_fn=lambda: os.close(1), capture_output=False,
                              stderr=subprocess.PIPE, timeout=300, check=False)
    else:
        with open(stdout, "w") as full:
            proc = subprocess.run(cmd, stdout=full, stderr=subprocess.PIPE, timeout=300, check=False)
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert err.count("\n") == 1 and err.startswith("nktk: error: <stdout>: cannot write"), err


# --- passages as the unit of parallel work ------------------------------------------------------------


def test_a_large_record_is_cut_into_pieces_that_reassemble_to_the_whole_analysis() -> None:
    from toolkit import load
    from toolkit.io import Record

    analyzer = load()
    text = "\n\n".join(f"{KO if k % 2 else EN} ({k})" for k in range(60))
    record = Record("big", text, {})
    pieces = analyzer.cut(record, size=500)
    assert len(pieces) > 5 and [p.last for p in pieces].count(True) == 1 and pieces[-1].last
    assert all(len(p.text) <= 600 for p in pieces)
    whole = analyzer.analyze(record)
    assert analyzer.assemble(record, analyzer.analyze_pieces(pieces)) == whole
    assert analyzer.assemble(record, [r for p in pieces for r in analyzer.analyze_pieces([p])]) == whole


@pytest.mark.slow
def test_two_workers_share_a_large_record_and_write_what_one_worker_writes(tmp_path: Path) -> None:
    src = _corpus(tmp_path / "c.jsonl", 24, big_paragraphs=400)
    bad = src.read_text(encoding="utf-8").replace('"id": "r005"', '"id": "r005", "text": 5, "x"', 1)
    src.write_text(bad, encoding="utf-8")  # one bad record in the stream keeps its place
    run([str(src)], tmp_path / "one.jsonl", workers=1)
    run([str(src)], tmp_path / "two.jsonl", workers=2, chunksize=4)
    one, two = (tmp_path / "one.jsonl").read_text(), (tmp_path / "two.jsonl").read_text()
    assert one == two
    rows = [json.loads(line) for line in one.splitlines()]
    assert [r["id"] for r in rows][:4] == ["r000", "r001", "r002", "big"]
    assert len(rows[3]["passages"]) == 400 and "error" in rows[6]


# --- library use ---------------------------------------------------------------------------------------

_SCRIPT = """
import json, sys
import toolkit
try:
    results = list(toolkit.load().analyze_many(["{en}", "{ko}", "{en}"], workers=2))
    print(json.dumps([r.id for r in results]))
except toolkit.NktkError as exc:
    print("NktkError:", exc)
"""


@pytest.mark.slow
@pytest.mark.parametrize("guarded", [False, True])
def test_analyze_many_with_workers_from_a_script(tmp_path: Path, guarded: bool) -> None:
    body = _SCRIPT.format(en=EN, ko=KO)
    if guarded:
        body = "def main():\n" + "".join(f"    {line}\n" for line in body.strip().splitlines())
        body += "\nif __name__ == '__main__':\n    main()\n"
    script = tmp_path / "script.py"
    script.write_text(body, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    if guarded:
        assert json.loads(proc.stdout) == ["0", "1", "2"]  # plain strings: their position
    else:
        assert proc.stdout.count("NktkError:") == 1, proc.stdout
        assert str(script) in proc.stdout and 'if __name__ == "__main__":' in proc.stdout


def test_plain_strings_get_their_position_as_id() -> None:
    from toolkit import load

    analyzer = load()
    assert [r.id for r in analyzer.analyze_many([EN, KO, EN, KO], batch_size=3)] == ["0", "1", "2", "3"]
    assert analyzer.analyze(EN).id == "0"
    with pytest.raises(toolkit_input_error()):
        list(analyzer.analyze_many([EN, 42]))  # type: ignore[list-item]


def toolkit_input_error() -> type[Exception]:
    from toolkit import InputError

    return InputError
