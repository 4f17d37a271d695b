"""Tokenizer throughput: each raw backend against nktk's tokenizer on the same backend, one run.

About 200 KB of Korean and of English text (the project's own corpus passages)
go through the raw analyser (KoNLPy's class, kiwipiepy, or spaCy's blank English
tokenizer) and through nktk's spaCy tokenizer, which adds exact offsets, tags,
Universal POS and lemmas. Both are timed passage by passage after a warm-up.

Usage: python bench/tokenize.py [--kb 200] [--backends mecab,okt,...]
"""

from __future__ import annotations

import sys

# This file's name shadows the standard library's ``tokenize``: keep its folder last on the path.
_here = sys.path.pop(0)
sys.path.append(_here)

import argparse
import time
from collections.abc import Callable

from _corpus import machine, sized

from toolkit.korean import BACKENDS, _construct
from toolkit.pipeline import get_nlp


def timed(fn: Callable[[str], object], texts: list[str], *, repeat: int = 1) -> float:
    for t in texts[:30]:  # warm-up: JVM start and JIT, dictionary load, caches
        fn(t)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for t in texts:
            fn(t)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kb", type=int, default=200)
    ap.add_argument("--backends", default=",".join(BACKENDS))
    args = ap.parse_args()
    ko, en = sized("ko", args.kb), sized("en", args.kb)
    ko_chars, en_chars = sum(map(len, ko)), sum(map(len, en))
    print(f"machine: {machine()}")
    print(f"text: {len(ko)} Korean passages ({ko_chars:,} chars), {len(en)} English ({en_chars:,} chars)\n")
    print(f"{'backend':<10}{'raw chars/s':>14}{'nktk chars/s':>14}{'time ratio':>12}   raw = what nktk wraps")
    for name in args.backends.split(","):
        impl = _construct(name)
        raw: Callable[[str], object] = impl.tokenize if name == "kiwi" else impl.pos
        nlp = get_nlp("ko", backend=name)
        repeat = 3 if name in ("mecab", "kiwi", "komoran", "okt") else 2
        texts = ko if name not in ("kkma", "hannanum") else ko[: max(1, len(ko) // 5)]
        chars = sum(map(len, texts))
        t_raw = timed(raw, texts, repeat=repeat)
        t_nktk = timed(nlp.make_doc, texts, repeat=repeat)
        label = {"kiwi": "kiwipiepy Kiwi.tokenize"}.get(name, f"KoNLPy {type(impl).__name__}.pos")
        print(f"{name:<10}{chars / t_raw:>14,.0f}{chars / t_nktk:>14,.0f}{t_nktk / t_raw:>11.2f}x   {label}")
    import spacy

    blank = spacy.blank("en")
    nlp_en = get_nlp("en")
    t_raw = timed(blank.make_doc, en, repeat=3)
    t_tok = timed(nlp_en.make_doc, en, repeat=3)
    t_full = timed(nlp_en, en, repeat=3)
    print(f"{'en':<10}{en_chars / t_raw:>14,.0f}{en_chars / t_tok:>14,.0f}{t_tok / t_raw:>11.2f}x   "
          "spaCy blank('en') tokenizer")
    print(f"{'en+attrs':<10}{en_chars / t_raw:>14,.0f}{en_chars / t_full:>14,.0f}{t_full / t_raw:>11.2f}x   "
          "nktk English pipeline (POS rules, lookup lemmas, sentences) vs the bare tokenizer")


if __name__ == "__main__":
    main()
