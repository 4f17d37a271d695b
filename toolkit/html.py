"""The article view: one self-contained HTML page a researcher reads (no external resources).

Entities are highlighted by label, each passage shows its factor scores as bars
with the evidence underlined, and a table lists entities by canonical name.
Every piece of article text is escaped.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from html import escape
from itertools import pairwise

from .results import Analysis, Passage

FACTORS = ("structural", "economic", "pull", "network")
_COLORS = {"PROVINCE": "#cde7ff", "ORG": "#ffe2b8", "LOC": "#d5f5d0"}
_FACTOR_COLORS = {"structural": "#6c5ce7", "economic": "#e17055", "pull": "#0984e3", "network": "#00b894"}

_CSS = (
    'body{font-family:system-ui,-apple-system,"Noto Sans KR","Malgun Gothic",sans-serif;margin:0;'
    "background:#f6f6f4;color:#222}"
    "main{max-width:980px;margin:0 auto;padding:24px}"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}"
    ".record{background:#fff;border-radius:8px;padding:16px 20px;margin:16px 0;box-shadow:0 1px 3px #0002}"
    ".passage{display:grid;grid-template-columns:1fr 250px;gap:16px;border-top:1px solid #eee;padding:12px 0}"
    ".text{line-height:1.7;white-space:pre-wrap}mark{border-radius:3px;padding:0 2px}"
    "mark small{font-size:.65em;color:#555;margin-left:2px}"
    ".ev{text-decoration:underline 2px;text-underline-offset:3px}"
    ".bar{display:flex;align-items:center;gap:6px;font-size:.85em;margin:3px 0}"
    ".bar .name{width:72px}.bar .track{flex:1;background:#eee;height:10px;border-radius:5px;overflow:hidden}"
    ".bar .fill{height:100%}.bar.on .name{font-weight:700}"
    ".evidence{font-size:.8em;color:#555;margin:2px 0 6px 78px}"
    "table{border-collapse:collapse;width:100%;font-size:.9em}"
    "td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left}"
    ".legend span{margin-right:12px}.meta{color:#666;font-size:.85em}.error{color:#b00020}"
    ".passage.aside{display:block;padding:4px 0;color:#999;font-size:.85em}"
    ".passage.aside .kind{font-size:.75em;text-transform:uppercase;letter-spacing:.05em;margin-right:8px}"
    ".passage.heading{display:block;padding:10px 0 2px;font-weight:700;color:#444}"
    ".section{font-size:.75em;color:#888;margin-bottom:4px}"
    + "".join(f"mark.{label}{{background:{color}}}" for label, color in _COLORS.items())
    + "".join(f".ev.{f}{{text-decoration-color:{color}}}" for f, color in _FACTOR_COLORS.items())
)


def render(results: Sequence[Analysis], *, title: str = "nktk analysis") -> str:
    """An HTML page for analysed records; each :class:`Analysis` must carry its ``text``."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>",
             f"<style>{_CSS}</style></head><body><main><h1>{escape(title)}</h1>",
             "<p class='legend'>" + "".join(f"<mark class='{lab}'>{lab}</mark> " for lab in _COLORS)
             + " &nbsp; evidence is underlined in the colour of its factor</p>"]
    for res in results:
        parts.append(_record(res))
    parts.append(_entity_table(results))
    parts.append("<p class='meta'>Made by nktk. Scores are calibrated probabilities; a factor is "
                 "labelled when its score reaches the model's threshold.</p></main></body></html>")
    return "".join(parts)


def render_errors(errors: Sequence[tuple[str, str]]) -> str:
    """Error rows for records that could not be analysed."""
    return "".join(f"<p class='error'>{escape(rid)}: {escape(msg)}</p>" for rid, msg in errors)


def _record(res: Analysis) -> str:
    text = res.text or ""
    out = [f"<section class='record'><h2>{escape(res.id)}</h2>",
           f"<p class='meta'>language: {escape(res.lang)} · {len(res.passages)} passages · "
           f"{len(res.entities)} entities</p>"]
    body = sum(p.kind == "body" for p in res.passages)
    out[-1] = out[-1].replace(f"{len(res.passages)} passages", f"{body} body passages of {len(res.passages)}")
    for p in res.passages:
        if p.kind == "heading":
            out.append(f"<div class='passage heading'>{_marked(text, res, p)}</div>")
            continue
        if p.kind != "body":  # set aside: shown greyed, not classified
            out.append(f"<div class='passage aside {escape(p.kind)}' title='set aside, not classified'>"
                       f"<span class='kind'>{escape(p.kind)}</span>{escape(text[p.start:p.end])}</div>")
            continue
        out.append("<div class='passage'><div class='text'>" + _marked(text, res, p) + "</div><div>")
        for f in FACTORS:
            score = p.scores.get(f, 0.0)
            on = " on" if f in p.labels else ""
            out.append(f"<div class='bar{on}'><span class='name'>{f}</span><span class='track'>"
                       f"<span class='fill' style='display:block;width:{score * 100:.0f}%;"
                       f"background:{_FACTOR_COLORS[f]}'></span></span><span>{score:.2f}</span></div>")
            if f in p.evidence:
                words = ", ".join(escape(e.text) for e in p.evidence[f])
                out.append(f"<div class='evidence'>{words}</div>")
        out.append("</div></div>")
    out.append("</section>")
    return "".join(out)


def _marked(text: str, res: Analysis, p: Passage) -> str:
    ents = [e for e in res.entities if p.start <= e.start and e.end <= p.end]
    evid = [(e.start, e.end, f) for f, evs in p.evidence.items() for e in evs]
    cuts = sorted({p.start, p.end, *(x for e in ents for x in (e.start, e.end)),
                   *(x for s, e, _ in evid for x in (s, e))})
    out = []
    for a, b in pairwise(cuts):
        if a < p.start or b > p.end or a == b:
            continue
        seg = escape(text[a:b])
        factors = sorted({f for s, e, f in evid if s <= a and b <= e})
        if factors:
            seg = f"<span class='ev {' '.join(factors)}'>{seg}</span>"
        ent = next((e for e in ents if e.start <= a and b <= e.end), None)
        if ent is not None:
            tip = escape(f"{ent.canonical} · {ent.label} · {ent.id or 'not in gazetteer'}", quote=True)
            tail = f"<small>{escape(ent.label)}</small>" if b == ent.end else ""
            seg = f"<mark class='{ent.label}' title='{tip}'>{seg}{tail}</mark>"
        out.append(seg)
    return "".join(out)


def _entity_table(results: Sequence[Analysis]) -> str:
    mentions: Counter[tuple[str, str, str]] = Counter()
    records: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    spellings: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for res in results:
        for e in res.entities:
            key = (e.canonical, e.label, e.id or "")
            mentions[key] += 1
            records[key].add(res.id)
            spellings[key].add(e.text)
    body = "".join(
        f"<tr><td>{escape(c)}</td><td>{escape(lab)}</td><td>{escape(i) or '—'}</td><td>{n}</td>"
        f"<td>{len(records[(c, lab, i)])}</td><td>{escape(', '.join(sorted(spellings[(c, lab, i)])))}</td></tr>"
        for (c, lab, i), n in sorted(mentions.items(), key=lambda kv: (-kv[1], kv[0])))
    return ("<h2>Entities by canonical name</h2><table><tr><th>canonical</th><th>label</th><th>id</th>"
            f"<th>mentions</th><th>records</th><th>spellings</th></tr>{body}</table>")
