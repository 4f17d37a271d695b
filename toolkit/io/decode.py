"""Bytes to text: UTF-8 (with or without BOM), UTF-16, CP949/EUC-KR; NFC-normalized."""

from __future__ import annotations

import codecs
import re
import unicodedata

from ..errors import InputError

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _plausible(text: str) -> bool:
    """Decoded text should not be full of control characters."""
    return len(_CONTROL.findall(text)) <= max(2, len(text) // 100)


def decode(data: bytes, where: str) -> str:
    """Decode file bytes to NFC text, or raise :class:`InputError` naming ``where``.

    Order: BOMs, strict UTF-8, BOM-less UTF-16 (many NUL bytes), strict CP949
    (a superset of EUC-KR, still common in Korean archives), then
    charset-normalizer's best guess. NUL bytes otherwise mean a binary file.

    >>> decode("함경북도".encode("cp949"), "x.txt")
    '함경북도'
    """
    text: str | None = None
    if data.startswith(codecs.BOM_UTF8):
        text = _strict(data[3:], "utf-8", where)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(data, "utf-16", where)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _guess(data)
        if text is not None and "\x00" in text:
            text = _utf16_without_bom(data)
    if text is None or not _plausible(text):
        raise InputError(f"{where}: binary or undecodable file (not UTF-8, UTF-16 or CP949/EUC-KR)")
    return unicodedata.normalize("NFC", text)


def _strict(data: bytes, encoding: str, where: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: invalid {encoding} at byte {exc.start}") from None


def _utf16_without_bom(data: bytes) -> str | None:
    if len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    encoding = "utf-16-be" if even > odd else "utf-16-le"
    if max(even, odd) < len(data) // 8:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _guess(data: bytes) -> str | None:
    if b"\x00" in data:
        return _utf16_without_bom(data)
    try:
        return data.decode("cp949")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return None if best is None else str(best)
