"""The language of a passage (its paragraphs come from :mod:`toolkit.layout`)."""

from __future__ import annotations

import re

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def detect(text: str, default: str = "en") -> str:
    """``ko`` when Hangul makes up at least 30% of the letters, else ``en``.

    A Hangul syllable carries two or three Latin letters' worth of text, so an
    English passage quoting a Korean name stays English.

    >>> detect("함경북도에서 온 여성"), detect("Women from 함경북도 traded at the market.")
    ('ko', 'en')
    """
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    if hangul + latin == 0:
        return default
    return "ko" if hangul >= 0.3 * (hangul + latin) else "en"
