"""Pipeline throughput, side by side with its baselines, in one run.

On a mixed English/Korean corpus of records (the project's own passages):

1. tokenization alone (the spaCy pipelines with nktk's tokenizers): the baseline;
2. + gazetteer entities: the entity step's added time;
3. + factor classification (the full ``tag`` analysis): its added time and the
   ratio to tokenization alone; and the same analysis without the layout step
   (``--no-layout``: each record one passage), so the layout step's cost is measured;
4. ``nktk batch`` with 1 and 2 worker processes (records/s, speed-up), and the
   peak resident memory of a worker;
5. cold start of ``nktk tag`` on one short file, beside ``python -c "import spacy"``.

With ``--baseline-model DIR`` the full tag also runs with that model (say, the
previous release's), alternated with the current one, so a model change's cost is
measured in the same run.

Usage: python bench/pipeline.py [--records 5000] [--baseline-model DIR]
"""

from __future__ import annotations

import sys

# bench/tokenize.py would shadow the standard library's ``tokenize``: keep this folder last.
_here = sys.path.pop(0)
sys.path.append(_here)

import argparse
import json
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from _corpus import machine, passages

from toolkit import load
from toolkit.batch import run
from toolkit.layout import segment
from toolkit.parsing import parse


def records(n: int) -> list[str]:
    pool_en, pool_ko = passages("en"), passages("ko")
    return [(pool_en if i % 2 else pool_ko)[(i // 2) % len(pool_en if i % 2 else pool_ko)] for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=5000)
    ap.add_argument("--baseline-model", type=Path, help="a model folder to time beside the bundled model")
    args = ap.parse_args()
    texts = records(args.records)
    chars = sum(map(len, texts))
    print(f"machine: {machine()}")
    print(f"corpus: {len(texts):,} records, {chars:,} chars, half English half Korean\n")

    analyzer = load()
    analyzer.analyze("warm-up 함경북도에서 왔다.\n\nwarm up")
    for t in texts[:50]:  # warm caches of both pipelines
        list(parse(t, entities=True))

    def clock(fn: object) -> float:
        start = time.perf_counter()
        for t in texts:
            fn(t)  # type: ignore[operator]
        return time.perf_counter() - start

    import spacy

    from toolkit.korean import _construct
    from toolkit.passages import detect

    mecab, blank_en = _construct("mecab"), spacy.blank("en")
    t_raw = clock(lambda t: mecab.pos(t) if detect(t) == "ko" else blank_en.make_doc(t))
    t_tok = clock(lambda t: list(parse(t)))
    t_ent = clock(lambda t: list(parse(t, entities=True)))
    plain = load(layout=False)
    baseline = load(model=args.baseline_model) if args.baseline_model else None

    def tag(a: object) -> float:
        start = time.perf_counter()
        for _ in a.analyze_many(texts):  # type: ignore[attr-defined]
            pass
        return time.perf_counter() - start

    # with and without the layout step, alternated, best of three each: the machine's noise hits both alike
    t_tag, t_plain, t_base = float("inf"), float("inf"), float("inf")
    for _ in range(3):
        t_tag = min(t_tag, tag(analyzer))
        t_plain = min(t_plain, tag(plain))
        if baseline is not None:
            t_base = min(t_base, tag(baseline))
    t_layout = min(clock(segment) for _ in range(3))
    rows = [("raw analysers (KoNLPy Mecab.pos / spaCy blank en)", t_raw),
            ("nktk tokenize (baseline)", t_tok), ("tokenize + entities", t_ent),
            ("full tag (+ factors, batched)", t_tag), ("full tag without the layout step (--no-layout)", t_plain),
            ("layout step alone (toolkit.layout.segment)", t_layout)]
    if baseline is not None:
        rows.insert(4, (f"full tag with the baseline model ({args.baseline_model})", t_base))
    print(f"{'step':<52}{'records/s':>11}{'chars/s':>11}{'time vs baseline':>18}")
    for name, t in rows:
        print(f"{name:<52}{len(texts) / t:>11,.0f}{chars / t:>11,.0f}{t / t_tok:>17.2f}x")
    print(f"\nentity step adds {100 * (t_ent - t_tok) / t_tok:.0f}% to tokenization time; classification adds "
          f"{100 * (t_tag - t_ent) / t_tok:.0f}%; full tag runs at {t_tok / t_tag:.2f}x the tokenizer-only "
          f"throughput; the layout step adds {100 * (t_tag - t_plain) / t_plain:.1f}% to tag (segment alone: "
          f"{100 * t_layout / t_plain:.1f}% of tag time)\n")

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "corpus.jsonl"
        src.write_text("".join(json.dumps({"id": f"r{i}", "text": t}, ensure_ascii=False) + "\n"
                               for i, t in enumerate(texts)), encoding="utf-8")
        one = Path(tmp) / "one.jsonl"
        one.write_text(json.dumps({"id": "x", "text": texts[0]}, ensure_ascii=False) + "\n", encoding="utf-8")
        results = {}
        for workers in (1, 2):
            runs = {}
            for name, source in (("start", one), ("corpus", src)):
                out = Path(tmp) / f"out{workers}-{name}.jsonl"
                cmd = [sys.executable, "-c", _BATCH, str(source), str(out), str(workers)]
                start = time.perf_counter()
                proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
                runs[name] = (time.perf_counter() - start, json.loads(proc.stdout))
            results[workers] = runs
        print(f"{'batch':<16}{'wall s':>8}{'records/s':>11}{'start-up s':>12}{'after start-up':>16}"
              f"{'peak RSS/worker':>17}")
        steady = {}
        for workers, runs in results.items():
            wall, info = runs["corpus"]
            boot = runs["start"][0]
            steady[workers] = len(texts) / max(wall - boot, 1e-9)
            print(f"{f'--workers {workers}':<16}{wall:>8.1f}{len(texts) / wall:>11,.0f}{boot:>12.1f}"
                  f"{steady[workers]:>13,.0f}/s{info['rss_mb']:>14.0f} MB")
        print(f"speed-up with 2 workers: {results[1]['corpus'][0] / results[2]['corpus'][0]:.2f}x wall, "
              f"{steady[2] / steady[1]:.2f}x after start-up (a 1-record run of the same command)\n")

        short = Path(tmp) / "short.txt"
        short.write_text("Women from North Hamgyong traded at the market after the rations stopped.", encoding="utf-8")
        cold = _best([sys.executable, "-m", "toolkit", "tag", str(short), "--format", "json"], 3)
        base = _best([sys.executable, "-c", "import spacy; spacy.blank('en')"], 3)
        floor = _best([sys.executable, "-c", "import spacy, sklearn.pipeline, skops.io"], 3)
        print(f"{'cold start':<44}{'seconds':>10}")
        print(f"{'nktk tag short.txt (json)':<44}{cold:>10.2f}")
        print(f"{'python -c: spacy.blank(en)':<44}{base:>10.2f}")
        print(f"{'python -c: import spacy, sklearn, skops.io':<44}{floor:>10.2f}")


_BATCH = """
import json, resource, sys
from pathlib import Path
from toolkit.batch import run
src, out, workers = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
run([src], out, workers=workers, progress=False)
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"rss_mb": own if workers == 1 else kids}))
"""


def _best(cmd: list[str], n: int) -> float:
    best = float("inf")
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best


if __name__ == "__main__":
    _ = resource  # used in the batch child
    _ = run
    main()
