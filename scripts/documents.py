"""Build the document corpus: lay out the writers' structured documents the ways real sources arrive.

Each source in ``corpora/documents/src/*.json`` (see ``corpora/src/DOCUMENTS_BRIEF.md``)
is rendered as plain text in two of these layouts, with gold passages whose
offsets are computed while the text is written:

- ``web-dump``: a page saved from the browser as text: menu bullets, breadcrumbs,
  paragraphs separated by lines that hold a non-breaking space (or ``&nbsp;``,
  U+3000, spaces), widgets, sidebar lists and the footer;
- ``lines``: pasted news or portal copy, one line per paragraph, no blank lines;
- ``wrapped``: an e-mail or plain-text report, hard-wrapped, paragraphs apart by
  blank lines or by a first-line indent;
- ``pdf-text``: a PDF's text layer: hard wraps, running headers, page numbers,
  paragraphs that run across page breaks, sometimes form feeds.

Every source is also written as ``.html`` (a web page with its chrome in
``nav``/``aside``/``footer``) and ``.pdf`` (reportlab; running header and page
numbers), so tests can check that the three give the same body passages.

Usage: python scripts/documents.py            (build corpora/documents/)
       python scripts/documents.py --check FILE...   (validate sources)
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from markup import convert

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "corpora" / "documents" / "src"
OUT = ROOT / "corpora" / "documents"
KINDS = {"body", "heading", "caption", "boilerplate"}
# Sources kept out of every choice: their documents form the test split.
TEST_NUMBERS = ("03", "06", "09")
LAYOUTS_BY_GENRE = {
    "news": ("web-dump", "lines"), "portal": ("web-dump", "lines"), "press-release": ("lines", "wrapped"),
    "ngo-blog": ("web-dump", "lines"), "forum": ("web-dump", "lines"), "wiki": ("web-dump", "lines"),
    "column": ("web-dump", "lines"), "report": ("pdf-text", "wrapped"), "academic": ("pdf-text", "web-dump"),
    "transcript": ("pdf-text", "lines"), "testimony": ("web-dump", "wrapped"), "newsletter": ("wrapped", "lines"),
}


def check(raw: dict[str, Any], where: str) -> list[str]:
    """Problems with one source document (empty when it is well formed)."""
    errors = []
    if raw.get("lang") not in ("en", "ko"):
        errors.append(f"{where}: lang must be en or ko")
    if not isinstance(raw.get("blocks"), list) or not raw["blocks"]:
        errors.append(f"{where}: blocks must be a non-empty list")
        return errors
    for key in ("id", "title", "genre"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            errors.append(f"{where}: {key} missing")
    for name, lines in (raw.get("chrome") or {}).items():
        if name == "running_header":
            if not isinstance(lines, str):
                errors.append(f"{where}: chrome.running_header must be a string")
            continue
        if not isinstance(lines, list) or not all(isinstance(x, str) and x.strip() and "\n" not in x for x in lines):
            errors.append(f"{where}: chrome.{name} must be a list of one-line strings")
    for n, block in enumerate(raw["blocks"]):
        at = f"{where}: block {n}"
        if block.get("kind") not in KINDS:
            errors.append(f"{at}: kind must be one of {sorted(KINDS)}")
            continue
        text = block.get("text")
        if not isinstance(text, str) or not text.strip() or "\n" in text:
            errors.append(f"{at}: text must be one non-empty line")
            continue
        try:
            convert({"lang": raw.get("lang"), "text": text, "labels": block.get("labels", [])}, at)
        except (ValueError, KeyError) as exc:
            errors.append(str(exc))
        if block["kind"] == "body" and not isinstance(block.get("labels"), list):
            errors.append(f"{at}: body needs labels (a list, maybe empty)")
    for r in raw.get("references") or []:
        if not isinstance(r, str) or "\n" in r:
            errors.append(f"{where}: references must be one-line strings")
    return errors


class Writer:
    """Text being written, with the gold passages of what went into it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.passages: list[dict[str, Any]] = []
        self.entities: list[dict[str, Any]] = []

    def raw(self, s: str) -> None:
        self.parts.append(s)
        self.size += len(s)

    def passage(self, s: str, kind: str, labels: list[str] | None = None,
                entities: list[dict[str, Any]] | None = None) -> None:
        start = self.size
        self.raw(s)
        p: dict[str, Any] = {"start": start, "end": self.size, "kind": kind}
        if kind == "body":
            p["labels"] = sorted(labels or [])
        self.passages.append(p)
        for e in entities or []:
            self.entities.append({**e, "start": e["start"] + start, "end": e["end"] + start})

    def text(self) -> str:
        return "".join(self.parts)


def _plain(block: dict[str, Any], lang: str) -> tuple[str, list[dict[str, Any]]]:
    rec = convert({"lang": lang, "text": block["text"], "labels": block.get("labels", [])}, "block")
    return rec["text"], rec["entities"]


def _kind(block: dict[str, Any]) -> str:
    return {"caption": "boilerplate"}.get(block["kind"], block["kind"])


def _top_chrome(doc: dict[str, Any], rnd: random.Random) -> list[list[str]]:
    """Groups of chrome lines before the article."""
    c = doc.get("chrome") or {}
    groups = []
    if c.get("nav"):
        bullet = rnd.choice(["  • ", "* ", "  * ", "", "- "])
        groups.append([bullet + x for x in c["nav"]])
    if c.get("breadcrumb"):
        groups.append([rnd.choice([" > ", " › ", " / ", " » "]).join(c["breadcrumb"])])
    return groups


def _bottom_chrome(doc: dict[str, Any]) -> list[list[str]]:
    c = doc.get("chrome") or {}
    return [list(c[k]) for k in ("share", "tags", "related", "comments", "subscribe", "sidebar", "contact",
                                 "newsletter_bottom", "footer") if c.get(k)]


def _meta_lines(doc: dict[str, Any]) -> list[str]:
    c = doc.get("chrome") or {}
    return [*(c.get("byline") or []), *(c.get("dateline") or [])]


def render_web_dump(doc: dict[str, Any], rnd: random.Random) -> Writer:
    w = Writer()
    lang = doc["lang"]
    sep = rnd.choice(["\n\u00a0\n", "\n\n", "\n \n", "\n&nbsp;\n"] + (["\n\u3000\n"] if lang == "ko" else []))
    first = True

    def gap() -> None:
        nonlocal first
        if not first:
            w.raw(sep)
        first = False

    for group in _top_chrome(doc, rnd):
        gap()
        for n, line in enumerate(group):
            if n:
                w.raw("\n")
            lead = line[: len(line) - len(line.lstrip())]
            w.raw(lead)
            w.passage(line.strip(), "boilerplate")
    c = doc.get("chrome") or {}
    for key in ("newsletter_top", "toc"):
        if c.get(key):
            gap()
            for n, line in enumerate(c[key]):
                if n:
                    w.raw("\n")
                w.passage(line, "boilerplate")
    gap()
    w.passage(doc["title"], "heading")
    meta = _meta_lines(doc)
    if meta:
        gap()
        for n, line in enumerate(meta):
            if n:
                w.raw("\n")
            w.passage(line, "boilerplate")
    for block in doc["blocks"]:
        gap()
        text, ents = _plain(block, lang)
        w.passage(text, _kind(block), block.get("labels"), ents)
    if doc.get("references"):
        gap()
        w.passage("References" if lang == "en" else "참고문헌", "heading")
        for r in doc["references"]:
            w.raw("\n")
            w.passage(r, "reference")
    for group in _bottom_chrome(doc):
        gap()
        for n, line in enumerate(group):
            if n:
                w.raw("\n")
            w.passage(line, "boilerplate")
    w.raw("\n")
    return w


def render_lines(doc: dict[str, Any], rnd: random.Random) -> Writer:
    w = Writer()
    lang = doc["lang"]
    items: list[tuple[str, str, list[str] | None, list[dict[str, Any]]]] = []
    for group in _top_chrome(doc, rnd):
        items.extend((x.strip(), "boilerplate", None, []) for x in group)
    items.append((doc["title"], "heading", None, []))
    items.extend((x, "boilerplate", None, []) for x in _meta_lines(doc))
    for block in doc["blocks"]:
        text, ents = _plain(block, lang)
        items.append((text, _kind(block), block.get("labels"), ents))
    if doc.get("references"):
        items.append(("References" if lang == "en" else "참고문헌", "heading", None, []))
        items.extend((r, "reference", None, []) for r in doc["references"])
    for group in _bottom_chrome(doc):
        items.extend((x, "boilerplate", None, []) for x in group)
    eol = rnd.choice(["\n", "\n", "\r\n"])
    for n, (text, kind, labels, ents) in enumerate(items):
        if n:
            w.raw(eol)
        w.passage(text, kind, labels, ents)
    w.raw(eol)
    return w


def _cols(text: str) -> int:
    """Display columns: Hangul and CJK take two, as on a terminal, an e-mail client or a page."""
    return sum(2 if "\u1100" <= c <= "\u115f" or "\u2e80" <= c <= "\ua4cf" or "\uac00" <= c <= "\ud7a3"
               or "\uff00" <= c <= "\uff60" else 1 for c in text)


def _wrap_lines(text: str, width: int) -> list[str]:
    """Greedy wrapping by display columns (textwrap counts characters, which is wrong for Hangul)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and _cols(line) + 1 + _cols(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines or [text]


def _wrap_hyphenated(text: str, width: int, rnd: random.Random) -> list[str]:
    """Greedy wrapping that sometimes splits a long word at the line end with a hyphen, as typesetting does."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            room = width - len(line) - 2
            if word.isalpha() and word.islower() and len(word) >= 8 and room >= 3 and rnd.random() < 0.35:
                cut = min(room, len(word) - 3)
                lines.append(f"{line} {word[:cut]}-")
                line = word[cut:]
            else:
                lines.append(line)
                line = word
    if line:
        lines.append(line)
    return lines


def render_wrapped(doc: dict[str, Any], rnd: random.Random, *, pdf: bool = False) -> Writer:
    """Hard-wrapped plain text (``pdf``: with pages, running headers and page numbers)."""
    w = Writer()
    lang = doc["lang"]
    width = rnd.choice([66, 72, 78]) if lang == "en" else rnd.choice([68, 74, 80])
    if pdf:
        width = rnd.choice([84, 92]) if lang == "en" else rnd.choice([88, 96])
    blank_between = rnd.random() < 0.6
    indent = "" if blank_between else "    "
    units: list[tuple[list[str], str, list[str] | None, list[dict[str, Any]], str]] = []
    c = doc.get("chrome") or {}
    if not pdf:
        for key in ("newsletter_top",):
            for line in c.get(key) or []:
                units.append(([line], "boilerplate", None, [], ""))
    units.append(([doc["title"]], "heading", None, [], ""))
    if not pdf:
        units.extend(([x], "boilerplate", None, [], "") for x in _meta_lines(doc))
    for block in doc["blocks"]:
        text, ents = _plain(block, lang)
        kind = _kind(block)
        if kind == "body":
            if lang == "en":
                # a placeholder word as wide as the indent, so the first line wraps as printed
                lines = _wrap_hyphenated("#" * (len(indent) - 1) + " " + text if indent else text, width, rnd)
                if indent:
                    lines[0] = lines[0][len(indent) :]
            else:
                lines = _wrap_lines("#" * (len(indent) - 1) + " " + text if indent else text, width)
                if indent:
                    lines[0] = lines[0][len(indent) :]
            units.append((lines, kind, block.get("labels"), ents, indent))
        else:
            units.append((_wrap_lines(text, width), kind, None, [], ""))
    if doc.get("references"):
        units.append((["Notes" if lang == "en" else "주"], "heading", None, [], ""))
        units.extend((_wrap_lines(r, width), "reference", None, [], "") for r in doc["references"])
    if not pdf:
        for group in _bottom_chrome(doc):
            units.extend(([x], "boilerplate", None, [], "") for x in group)
    header = c.get("running_header") or doc.get("site") or doc["title"][:50]
    page_lines = rnd.choice([40, 46, 52])
    number_style = rnd.choice(["— {n} —", "- {n} -", "Page {n}", "{n}", "Page {n} of {total}"])
    header_style = rnd.choice(["{h}", "{h} | {n}", "{n}  {h}"])
    feed = rnd.random() < 0.5
    total = 1 + sum(len(u[0]) + 1 for u in units) // page_lines
    state = {"line": 0, "page": 1}

    def page_break() -> None:
        footer = number_style.format(n=state["page"], total=total)
        w.raw("\n\n")
        w.passage(footer, "boilerplate")
        w.raw("\n\f" if feed else "\n\n")
        state["page"] += 1
        state["line"] = 0
        w.passage(header_style.format(h=header, n=state["page"]), "boilerplate")
        w.raw("\n\n")

    if pdf:
        w.passage(header_style.format(h=header, n=1), "boilerplate")
        w.raw("\n\n")
    gold = w.passages
    for u, (lines, kind, labels, ents, ind) in enumerate(units):
        if u:
            w.raw("\n\n" if blank_between or kind != "body" or units[u - 1][1] != "body" else "\n")
            if ind and kind == "body":
                w.raw(ind)
        start = w.size
        gaps_from = len(gold)
        # the passage's text as written (lines joined by "\n", possibly across pages)
        plain = " ".join(ln for ln in lines)
        for n, ln in enumerate(lines):
            if n:
                if pdf and state["line"] >= page_lines:
                    page_break()
                else:
                    w.raw("\n")
            w.raw(ln)
            state["line"] += 1
        passage: dict[str, Any] = {"start": start, "end": w.size, "kind": kind}
        if kind == "body":
            passage["labels"] = sorted(labels or [])
        inner = gold[gaps_from:]
        del gold[gaps_from:]
        gold.append(passage)
        gold.extend(inner)
        w.entities.extend(_relocate(ents, plain, w, start, lines))
        if pdf and state["line"] >= page_lines - 2:
            page_break()
    if pdf:
        w.raw("\n\n")
        w.passage(number_style.format(n=state["page"], total=total), "boilerplate")
    w.raw("\n")
    gold.sort(key=lambda p: p["start"])
    return w


def _relocate(ents: list[dict[str, Any]], plain: str, w: Writer, start: int, lines: list[str]) -> list[dict[str, Any]]:
    """Entities of a paragraph found again in its wrapped, page-broken text (kept only where exact)."""
    text = w.text()[start:]
    out = []
    pos = 0
    for e in ents:
        surface = plain[e["start"] : e["end"]]
        k = text.find(surface, pos)
        if k >= 0:
            out.append({**e, "start": start + k, "end": start + k + len(surface)})
            pos = k + len(surface)
    return out


def render_html(doc: dict[str, Any]) -> str:
    """The document as a web page: chrome in nav/aside/footer, the article in <article>."""
    lang = doc["lang"]
    esc = html.escape
    c = doc.get("chrome") or {}
    parts = [f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{esc(doc['title'])}</title>",
             f"<meta name='author' content='{esc(doc.get('author') or '')}'>",
             f"<meta property='og:site_name' content='{esc(doc.get('site') or '')}'>",
             "</head><body><header><nav><ul>",
             *(f"<li><a href='#'>{esc(x)}</a></li>" for x in c.get("nav") or []), "</ul></nav></header>",
             "<main><article>", f"<h1>{esc(doc['title'])}</h1>",
             *(f"<p class='byline'>{esc(x)}</p>" for x in _meta_lines(doc))]
    for block in doc["blocks"]:
        text, _ = _plain(block, lang)
        if block["kind"] == "heading":
            parts.append(f"<h2>{esc(text)}</h2>")
        elif block["kind"] == "caption":
            parts.append(f"<figure><figcaption>{esc(text)}</figcaption></figure>")
        elif block["kind"] == "boilerplate":
            parts.append(f"<div class='ad'>{esc(text)}</div>")
        else:
            parts.append(f"<p>{esc(text)}</p>")
    if doc.get("references"):
        parts.append("<h2>" + ("References" if lang == "en" else "참고문헌") + "</h2><ol class='references'>")
        parts.extend(f"<li>{esc(r)}</li>" for r in doc["references"])
        parts.append("</ol>")
    parts.append("</article></main><aside>")
    for key in ("share", "tags", "related", "comments", "subscribe", "sidebar"):
        if c.get(key):
            parts.append("<ul>" + "".join(f"<li>{esc(x)}</li>" for x in c[key]) + "</ul>")
    parts.append("</aside><footer>" + "".join(f"<p>{esc(x)}</p>" for x in c.get("footer") or []) + "</footer>")
    parts.append("</body></html>\n")
    return "".join(parts)


def render_pdf(doc: dict[str, Any], path: Path) -> None:
    """The document as a PDF report: title, headings, paragraphs, notes; running header and page numbers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    lang = doc["lang"]
    if lang == "ko":
        pdfmetrics.registerFont(UnicodeCIDFont("HYSMyeongJo-Medium"))
        font = bold = "HYSMyeongJo-Medium"
    else:
        from reportlab.pdfbase.ttfonts import TTFont

        # DejaVu has the Latin letters of romanised Korean (ŏ, ŭ) that the standard PDF fonts lack
        pdfmetrics.registerFont(TTFont("DejaVuSerif", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"))
        pdfmetrics.registerFont(TTFont("DejaVuSerif-Bold", "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"))
        font, bold = "DejaVuSerif", "DejaVuSerif-Bold"
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=14, spaceAfter=10)
    head = ParagraphStyle("head", fontName=bold, fontSize=13, leading=17, spaceBefore=8, spaceAfter=6)
    note = ParagraphStyle("note", fontName=font, fontSize=8.5, leading=11, spaceAfter=3)
    header = (doc.get("chrome") or {}).get("running_header") or doc.get("site") or doc["title"][:50]
    # PDF date and ids fixed so the files do not change from one build to the next
    out = SimpleDocTemplate(str(path), pagesize=A4, title=doc["title"], author=doc.get("author") or "",
                            invariant=1)

    def decorate(canvas: Any, d: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawString(72, 810, header)
        canvas.drawCentredString(297, 30, f"- {d.page} -")
        canvas.restoreState()

    story = [Paragraph(html.escape(doc["title"]), head)]
    for block in doc["blocks"]:
        if block["kind"] in ("caption", "boilerplate"):
            continue  # a printed report has no page chrome between paragraphs
        text, _ = _plain(block, lang)
        story.append(Paragraph(html.escape(text), head if block["kind"] == "heading" else body))
    if doc.get("references"):
        story.append(Paragraph("Notes" if lang == "en" else "주", head))
        story.extend(Paragraph(html.escape(r), note) for r in doc["references"])
    out.build(story, onFirstPage=decorate, onLaterPages=decorate)


def gold_record(doc: dict[str, Any], layout: str, w: Writer) -> dict[str, Any]:
    text = w.text()
    for p in w.passages:
        assert text[p["start"] : p["end"]].strip(), (doc["id"], layout, p)
    return {"id": f"{doc['id']}-{layout}", "lang": doc["lang"], "source": "written for the corpus",
            "layout": layout, "genre": doc["genre"], "doc": doc["id"], "text": text,
            "passages": w.passages, "entities": w.entities}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--no-pdf", action="store_true", help="skip the PDF files (no reportlab)")
    args = ap.parse_args()
    files = args.files or sorted(SRC.glob("*.json"))
    docs, errors = [], []
    for path in files:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            errors.append(f"{path}: not JSON ({exc})")
            continue
        errors.extend(check(raw, str(path)))
        docs.append(raw)
    for e in errors:
        print(e, file=sys.stderr)
    print(f"{len(docs)} documents, {len(errors)} errors", file=sys.stderr)
    if args.check or errors:
        return 1 if errors else 0
    files_dir = OUT / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    splits: dict[str, list[dict[str, Any]]] = {"dev": [], "test": []}
    renderers = {"web-dump": render_web_dump, "lines": render_lines, "wrapped": render_wrapped,
                 "pdf-text": lambda d, r: render_wrapped(d, r, pdf=True)}
    for doc in docs:
        split = "test" if doc["id"].endswith(TEST_NUMBERS) else "dev"
        seed = int(hashlib.sha256(doc["id"].encode()).hexdigest()[:8], 16)
        for layout in LAYOUTS_BY_GENRE.get(doc["genre"], ("web-dump", "lines")):
            w = renderers[layout](doc, random.Random(seed))
            rec = gold_record(doc, layout, w)
            splits[split].append(rec)
            (files_dir / f"{rec['id']}.txt").write_text(rec["text"], encoding="utf-8", newline="")
        (files_dir / f"{doc['id']}.html").write_text(render_html(doc), encoding="utf-8")
        if not args.no_pdf:
            render_pdf(doc, files_dir / f"{doc['id']}.pdf")
    for split, recs in splits.items():
        with (OUT / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for rec in recs:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        print(f"{split}: {len(recs)} documents", file=sys.stderr)
    stats(splits)
    return 0


def stats(splits: dict[str, list[dict[str, Any]]]) -> None:
    """Counts for the datasheet: documents, passages by kind, labels, layouts, per split and language."""
    from collections import Counter

    print("| split / lang | sources | documents | layouts | body | heading | boilerplate | reference "
          "| structural | economic | pull | network | no label |")
    print("|---" * 13 + "|")
    for split, recs in splits.items():
        for lang in ("en", "ko"):
            docs = [r for r in recs if r["lang"] == lang]
            kinds = Counter(p["kind"] for r in docs for p in r["passages"])
            labels = Counter(lab for r in docs for p in r["passages"] if p["kind"] == "body" for lab in p["labels"])
            none = sum(1 for r in docs for p in r["passages"] if p["kind"] == "body" and not p["labels"])
            layouts = Counter(r["layout"] for r in docs)
            print(f"| {split} {lang} | {len({r['doc'] for r in docs})} | {len(docs)} | "
                  + ", ".join(f"{k} {v}" for k, v in sorted(layouts.items())) + " | "
                  + " | ".join(str(kinds[k]) for k in ("body", "heading", "boilerplate", "reference")) + " | "
                  + " | ".join(str(labels[f]) for f in ("structural", "economic", "pull", "network"))
                  + f" | {none} |")


if __name__ == "__main__":
    sys.exit(main())
