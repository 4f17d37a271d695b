"""Pipeline speed, start-up and memory, each beside its baseline in one run.

On a mixed English/Korean corpus of records (the project's own passages):

1. start-up: ``nktk --version``, ``--help`` and ``tag --help`` beside ``python -c pass``
   and importing Typer (the floor any Typer CLI pays); target 0.5 s;
2. cold ``nktk tag`` of one short English and one short Korean file beside the floor
   of importing spaCy, scikit-learn and skops and loading the model; target 1.3x;
3. throughput: tokenization alone (the baseline), + gazetteer entities, the full
   ``tag`` analysis, without the layout step, the layout step alone; and the
   classifier's own steps (features, transform, scores, evidence) as a share of
   tokenization time; target 50%;
4. ``nktk batch`` with 1 and 2 worker processes on the corpus plus one record of
   2 million characters: wall clock with start-up, speed-up (target 1.7x), whether
   the outputs are identical, and peak resident memory of the process and of each
   worker (target 400 MB).

With ``--baseline-model DIR`` the full tag also runs with that model (say, the
previous release's), alternated with the current one.

Usage: python bench/pipeline.py [--records 5000] [--big-chars 2000000] [--baseline-model DIR]
"""

from __future__ import annotations

import sys

# bench/tokenize.py would shadow the standard library's ``tokenize``: keep this folder last.
_here = sys.path.pop(0)
sys.path.append(_here)

import argparse
import json
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _corpus import ROOT, machine, passages

from toolkit import load
from toolkit.layout import BODY, segment
from toolkit.parsing import parse


def records(n: int) -> list[str]:
    pool_en, pool_ko = passages("en"), passages("ko")
    return [(pool_en if i % 2 else pool_ko)[(i // 2) % len(pool_en if i % 2 else pool_ko)] for i in range(n)]


def big_record(chars: int) -> str:
    """Corpus passages as the paragraphs of one long document (a book, a scraped forum)."""
    pool, out, size = passages(), [], 0
    while size < chars:
        out.append(pool[len(out) % len(pool)])
        size += len(out[-1]) + 2
    return "\n\n".join(out)


def best(cmd: list[str], n: int) -> float:
    """The fastest of ``n`` runs of ``cmd`` (wall clock)."""
    fastest = float("inf")
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, cwd=ROOT)
        fastest = min(fastest, time.perf_counter() - start)
    return fastest


def startup(tmp: Path) -> None:
    nktk = [sys.executable, "-m", "toolkit"]
    rows = [("python -c pass (baseline)", best([sys.executable, "-c", "pass"], 5)),
            ("python -c 'import typer' (baseline)", best([sys.executable, "-c", "import typer"], 5)),
            ("nktk --version", best([*nktk, "--version"], 5)),
            ("nktk --help", best([*nktk, "--help"], 5)),
            ("nktk tag --help", best([*nktk, "tag", "--help"], 5)),
            ("nktk batch --help", best([*nktk, "batch", "--help"], 5))]
    print(f"{'start-up (best of 5)':<44}{'seconds':>10}   target 0.5 s")
    for name, t in rows:
        print(f"{name:<44}{t:>10.2f}")
    en, ko = tmp / "short-en.txt", tmp / "short-ko.txt"
    en.write_text("Women from North Hamgyong traded at the market after the rations stopped.", encoding="utf-8")
    ko.write_text("배급이 끊긴 뒤 함경북도의 여성들은 장마당에서 장사를 했다.", encoding="utf-8")
    model = ROOT / "models" / "factors.skops"
    floor_code = ("import spacy, sklearn.pipeline, skops.io as s; "
                  f"p = {str(model)!r}; s.load(p, trusted=s.get_untrusted_types(file=p))")
    floor = best([sys.executable, "-c", floor_code], 3)
    print(f"\n{'cold start (best of 3)':<44}{'seconds':>10}{'vs floor':>10}   target 1.3x")
    print(f"{'floor: import spaCy, sklearn, skops; load model':<44}{floor:>10.2f}{1:>9.2f}x")
    for name, path in (("nktk tag short-en.txt", en), ("nktk tag short-ko.txt", ko)):
        t = best([*nktk, "tag", str(path)], 3)
        print(f"{name:<44}{t:>10.2f}{t / floor:>9.2f}x")
    print()


def throughput(texts: list[str], baseline_model: Path | None) -> None:
    chars = sum(map(len, texts))
    analyzer = load()
    analyzer.analyze("warm-up 함경북도에서 왔다.\n\nwarm up")
    for t in texts[:50]:  # warm caches of both pipelines
        list(parse(t, entities=True))

    def clock(fn: Callable[[str], object]) -> float:
        start = time.perf_counter()
        for t in texts:
            fn(t)
        return time.perf_counter() - start

    import spacy

    from toolkit.korean import _construct
    from toolkit.passages import detect

    mecab, blank_en = _construct("mecab"), spacy.blank("en")
    t_raw = clock(lambda t: mecab.pos(t) if detect(t) == "ko" else blank_en.make_doc(t))
    t_tok = min(clock(lambda t: list(parse(t))) for _ in range(2))
    t_ent = min(clock(lambda t: list(parse(t, entities=True))) for _ in range(2))
    plain = load(layout=False)
    baseline = load(model=baseline_model) if baseline_model else None

    def tag(a: object) -> float:
        start = time.perf_counter()
        for _ in a.analyze_many(texts):  # type: ignore[attr-defined]
            pass
        return time.perf_counter() - start

    # alternated, best of three each: the machine's noise hits them alike
    t_tag, t_plain, t_base = float("inf"), float("inf"), float("inf")
    for _ in range(3):
        t_tag = min(t_tag, tag(analyzer))
        t_plain = min(t_plain, tag(plain))
        if baseline is not None:
            t_base = min(t_base, tag(baseline))
    t_layout = min(clock(segment) for _ in range(3))
    steps = classifier_steps(texts, analyzer)
    rows = [("raw analysers (KoNLPy Mecab.pos / spaCy blank en)", t_raw),
            ("nktk tokenize (baseline)", t_tok), ("tokenize + entities", t_ent),
            ("full tag (+ factors, batched)", t_tag), ("full tag without the layout step (--no-layout)", t_plain),
            ("layout step alone (toolkit.layout.segment)", t_layout)]
    if baseline is not None:
        rows.insert(4, (f"full tag with the baseline model ({baseline_model})", t_base))
    print(f"{'step':<52}{'records/s':>11}{'chars/s':>11}{'time vs baseline':>18}")
    for name, t in rows:
        print(f"{name:<52}{len(texts) / t:>11,.0f}{chars / t:>11,.0f}{t / t_tok:>17.2f}x")
    print(f"\nentity step adds {100 * (t_ent - t_tok) / t_tok:.0f}% to tokenization time; the rest of tag adds "
          f"{100 * (t_tag - t_ent) / t_tok:.0f}%; full tag runs at {t_tok / t_tag:.2f}x the tokenizer-only "
          f"throughput; the layout step adds {100 * (t_tag - t_plain) / t_plain:.1f}% to tag (segment alone: "
          f"{100 * t_layout / t_plain:.1f}% of tag time)")
    total = sum(steps.values())
    print(f"classifier steps on the {len(texts):,} records' body passages (target: at most 50% of tokenization):")
    for name, t in steps.items():
        print(f"  {name:<34}{t:>7.2f} s{100 * t / t_tok:>7.0f}% of tokenization")
    print(f"  {'all four':<34}{total:>7.2f} s{100 * total / t_tok:>7.0f}% of tokenization ({t_tok:.2f} s)\n")


def classifier_steps(texts: list[str], analyzer: object) -> dict[str, float]:
    """Seconds spent in each classifier step, on already parsed passages (best of two)."""
    from toolkit import gazetteer
    from toolkit.features import from_doc

    model = analyzer.model  # type: ignore[attr-defined]
    gaz = gazetteer.load()
    parsed = [p for t in texts for p in parse(t, entities=True) if p.span.kind == BODY]
    out: dict[str, float] = {}
    for _ in range(2):
        times = {"features (toolkit.features.from_doc)": 0.0, "transform (hashing, tf-idf)": 0.0,
                 "scores (calibrated regressions)": 0.0, "evidence (labels shown)": 0.0}
        for start in range(0, len(parsed), 32):
            batch = parsed[start : start + 32]
            t0 = time.perf_counter()
            feats = [from_doc(p.doc, p.lang, p.doc._.nktk_entities or [], gaz, text=p.source.text) for p in batch]
            t1 = time.perf_counter()
            X = model.transform(feats)
            t2 = time.perf_counter()
            scores = model.scores(X)
            t3 = time.perf_counter()
            rows = model.rows(X)
            for i, f in enumerate(feats):
                chosen = [j for j in range(len(model.labels)) if scores[i, j] >= model.thresholds[j]]
                model.evidence(f, rows[i], chosen)
            t4 = time.perf_counter()
            for key, dt in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                times[key] += dt
        out = {k: min(v, out.get(k, float("inf"))) for k, v in times.items()}
    return out


_BATCH = """
import json, resource, sys
from toolkit.cli import main
sys.argv = ["nktk", "batch", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    if exc.code:
        raise
# this process's own high-water mark (getrusage's would carry over the bench's across fork and exec)
own = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"rss_mb": own, "worker_rss_mb": kids}))
"""


def batches(texts: list[str], big_chars: int, tmp: Path) -> None:
    src = tmp / "corpus.jsonl"
    big = big_record(big_chars)
    rows = [{"id": f"r{i}", "text": t} for i, t in enumerate(texts)]
    rows.insert(len(rows) // 2, {"id": "big", "text": big})
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    chars = sum(len(r["text"]) for r in rows)
    print(f"batch corpus: {len(texts):,} records and one of {len(big):,} chars in the middle ({chars:,} chars)")
    results = {}
    for workers in (1, 2):
        out = tmp / f"out{workers}.jsonl"
        cmd = [sys.executable, "-c", _BATCH, str(src), "--out", str(out), "--workers", str(workers)]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
        results[workers] = (time.perf_counter() - start, json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f"{'batch (start-up included)':<28}{'wall s':>8}{'records/s':>11}{'chars/s':>11}{'peak RSS':>18}")
    for workers, (wall, info) in results.items():
        rss = (f"{info['rss_mb']:.0f} MB" if workers == 1
               else f"{info['worker_rss_mb']:.0f} MB/worker")
        print(f"{f'--workers {workers}':<28}{wall:>8.1f}{len(rows) / wall:>11,.0f}{chars / wall:>11,.0f}{rss:>18}")
    parent = results[2][1]["rss_mb"]
    same = (tmp / "out1.jsonl").read_bytes() == (tmp / "out2.jsonl").read_bytes()
    print(f"speed-up with 2 workers: {results[1][0] / results[2][0]:.2f}x wall (target 1.7x); outputs identical: "
          f"{same}; the parent of the 2-worker run peaked at {parent:.0f} MB (target 400 MB per process)\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=5000)
    ap.add_argument("--batch-records", type=int, default=2000)
    ap.add_argument("--big-chars", type=int, default=2_000_000)
    ap.add_argument("--baseline-model", type=Path, help="a model folder to time beside the bundled model")
    ap.add_argument("--only", choices=("startup", "throughput", "batch"), help="run one section")
    args = ap.parse_args()
    texts = records(args.records)
    print(f"machine: {machine()}")
    print(f"corpus: {len(texts):,} records, {sum(map(len, texts)):,} chars, half English half Korean\n")
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "startup"):
            startup(Path(tmp))
        if args.only in (None, "throughput"):
            throughput(texts, args.baseline_model)
        if args.only in (None, "batch"):
            batches(texts[: args.batch_records], args.big_chars, Path(tmp))


if __name__ == "__main__":
    main()
