"""Reading inputs: encodings, binary files, JSONL and CSV records, folders, NFC."""

from __future__ import annotations

import codecs
import json
import unicodedata
from pathlib import Path

import pytest

from toolkit.errors import InputError, InputNotFoundError
from toolkit.io import BadRecord, Record, decode, read_records

KO = "함경북도에서 온 여성들은 장마당에서 장사를 했다."


@pytest.mark.parametrize(
    "data",
    [
        KO.encode("utf-8"),
        codecs.BOM_UTF8 + KO.encode("utf-8"),
        KO.encode("utf-16"),
        KO.encode("utf-16-le"),
        KO.encode("utf-16-be"),
        KO.encode("cp949"),
        KO.encode("euc-kr"),
        unicodedata.normalize("NFD", KO).encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le", "utf16be", "cp949", "euc-kr", "nfd"],
)
def test_decode_korean(data: bytes) -> None:
    assert decode(data, "x.txt") == KO


@pytest.mark.parametrize("data", [bytes(range(256)) * 4, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20])
def test_binary_is_one_clear_error(data: bytes) -> None:
    with pytest.raises(InputError, match=r"^x\.bin: binary or undecodable"):
        decode(data, "x.bin")


def test_jsonl_records_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": "a", "text": "Hello", "source": "s"}), "{not json", "",
             json.dumps({"id": "c", "body": "no text"}), json.dumps({"id": "d", "text": "둘"})]
    path.write_text("\n".join(lines), encoding="utf-8")
    recs = list(read_records([path]))
    assert recs[0] == Record("a", "Hello", {"source": "s"})
    assert isinstance(recs[1], BadRecord) and recs[1].error.startswith(f"{path}:2: malformed JSON")
    assert isinstance(recs[2], BadRecord) and "record 'c' has no string 'text'" in recs[2].error
    assert recs[3] == Record("d", "둘", {})


def test_csv_columns(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("doc,body,year\nk1,\"첫째, 글\",2019\nk2,second,2020\n", encoding="cp949")
    recs = list(read_records([path], text_column="body", id_column="doc"))
    assert recs == [Record("k1", "첫째, 글", {"year": "2019"}), Record("k2", "second", {"year": "2020"})]
    bad = list(read_records([path], text_column="nope"))
    assert isinstance(bad[0], BadRecord) and "no column 'nope'" in bad[0].error


def test_folder_is_recursive_and_sorted(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("two", encoding="utf-8")
    (tmp_path / "one.md").write_text("one", encoding="utf-8")
    (tmp_path / "skip.bin").write_bytes(b"\x00\x01")
    ids = [r.id for r in read_records([tmp_path])]
    assert ids == [str(tmp_path / "b" / "two.txt"), str(tmp_path / "one.md")]


def test_missing_input() -> None:
    with pytest.raises(InputNotFoundError, match=r"nope\.txt: no such file"):
        list(read_records(["nope.txt"]))


def test_undecodable_file_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "b.txt").write_text("fine", encoding="utf-8")
    recs = list(read_records([tmp_path]))
    assert isinstance(recs[0], BadRecord)
    assert recs[1] == Record(str(tmp_path / "b.txt"), "fine", {"source": str(tmp_path / "b.txt")})


def test_jsonl_is_read_a_line_at_a_time_with_a_bom_cp949_lines_and_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    lines = [codecs.BOM_UTF8 + json.dumps({"id": "a", "text": "첫째"}, ensure_ascii=False).encode(),
             json.dumps({"id": "b", "text": "둘째"}, ensure_ascii=False).encode("cp949"),
             b'{"id": "c", "text": "\xff\xfe\xfd"}',
             json.dumps({"id": "d", "text": "line\u2028separator"}).encode()]  # U+2028 inside a JSON string
    path.write_bytes(b"\n".join(lines) + b"\n")
    recs = list(read_records([path]))
    assert [r.id for r in recs] == ["a", "b", f"{path}:3", "d"]
    assert recs[0].text == "첫째" and recs[1].text == "둘째" and recs[3].text == "line\u2028separator"
    assert isinstance(recs[2], BadRecord) and "not UTF-8" in recs[2].error
