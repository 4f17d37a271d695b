"""Factor labels for passages: the trained model, its scores, thresholds and evidence."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from itertools import chain, pairwise
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from scipy.sparse import csr_matrix, hstack
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV, _SigmoidCalibration
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from . import model as _model
from .data import data_dir
from .errors import ModelError
from .features import COLUMNS, PassageFeatures, matrix
from .results import Evidence

MODEL_FILE = "factors.skops"
CARD_FILE = "factors.card.json"

# The word-feature blocks that evidence credits, and the n-grams it reads of each (as it always has:
# terms and pairs of terms, single tags).
_EVIDENCE_NGRAMS = {"terms": (1, 2), "tags": (1, 1)}


def default_model_dir() -> Path:
    """The bundled model folder (``models/`` of the source tree)."""
    return data_dir("models")


class Row(NamedTuple):
    """One row of :meth:`FactorModel.transform`'s matrix: its columns (sorted) and their values."""

    indices: np.ndarray
    data: np.ndarray


class FactorModel:
    """A loaded factor model: the scikit-learn pipeline, its labels and its model card."""

    def __init__(self, pipeline: Pipeline, labels: tuple[str, ...], card: dict[str, Any]) -> None:
        self.pipeline = pipeline
        self.labels = labels
        self.card = card
        clf = pipeline[-1]
        self.thresholds = np.asarray(clf.decision_thresholds())
        # (name, column, first feature index, fitted block pipeline) in the column transformer's order
        self._blocks: list[tuple[str, int, int, Any]] = []
        start = 0
        for name, block, column in pipeline[0].transformers_:
            if block == "drop":
                continue
            self._blocks.append((name, int(column), start, block))
            start += int(block[0].n_features)
        self._width = start
        # what the evidence index of a passage depends on: the blocks' names, places and sizes
        self._layout = tuple((name, first, int(block[0].n_features)) for name, _, first, block in self._blocks)
        self._tfidf = _native_tfidf([block for _, _, _, block in self._blocks])
        self._coef = [clf.coefficients(j) for j in range(len(clf.estimators_))]
        self._sigmoids = _sigmoid_parts(clf)

    def transform(self, features: Sequence[PassageFeatures]) -> csr_matrix:
        """The model's feature matrix of the passages (one row each).

        The column transformer's ``transform``, bit for bit, but much cheaper:
        each block's n-grams are hashed for the whole batch in a few array
        operations (:func:`_char_wb_columns`, :func:`_word_ngrams`) instead of
        one Python string and one hash call per n-gram, all blocks are counted
        in one sort, and the counts get tf-idf weights and per-block norms in
        place. A model whose blocks this does not reproduce goes through
        scikit-learn, block by block. The passages' evidence index
        (:meth:`_index_evidence`) is built on the way, from the same hashes.
        """
        n, width, tfidf = len(features), self._width, self._tfidf
        if n == 0:
            return csr_matrix((0, width))
        if tfidf is None:
            rows = matrix(features)
            X = csr_matrix(hstack([block.transform(rows[:, col]) for _, col, _, block in self._blocks], format="csr"))
            self._index_evidence(features, {})
            return X
        keys = []  # passage * width + column, of every n-gram
        hashed: dict[str, tuple[np.ndarray, ...]] = {}  # word n-grams evidence can reuse, by block
        for name, column, first, block in self._blocks:
            vec = block[0]
            prep = vec.build_preprocessor()
            docs = [prep(getattr(f, COLUMNS[column])) for f in features]
            if vec.analyzer == "char_wb":
                cols, owner = _char_wb_columns(docs, vec.ngram_range, vec.n_features)
            else:
                # the runs of non-space characters r"\S+" finds are exactly what str.split gives, faster
                plain = vec.tokenizer is None and vec.token_pattern == r"\S+"
                tokenize = str.split if plain else vec.build_tokenizer()
                tokens = [tokenize(d) for d in docs]
                grams = _word_ngrams(tokens, vec.ngram_range, vec.n_features)
                cols, owner = grams[0], grams[1]
                if (_EVIDENCE_NGRAMS.get(name) == tuple(vec.ngram_range)
                        and tokens == [_evidence_tokens(name, f) for f in features]):
                    hashed[name] = grams
            keys.append(owner * width + first + cols)
        X = self._weigh(np.concatenate(keys), n, *tfidf)
        self._index_evidence(features, hashed)
        return X

    def _weigh(self, key: np.ndarray, n: int, sublinear: bool, idf: np.ndarray | None, norm: bool) -> csr_matrix:
        """The tf-idf matrix of ``n`` passages from the ``passage * width + column`` key of each of their n-grams.

        Counting is one sort; then each block's tf-idf steps as its fitted
        ``TfidfTransformer`` takes them: ``log(count) + 1``, times the column's
        idf, then the l2 norm of the row's entries in that block (a row's
        entries of one block are contiguous: they are normalised as the rows of
        a finer matrix, one row per passage and block).
        """
        width = self._width
        if n * width <= np.iinfo(np.int32).max:
            key = key.astype(np.int32)  # sorts faster
        key.sort()
        new = np.ones(len(key), dtype=bool)
        new[1:] = key[1:] != key[:-1]
        at = np.flatnonzero(new)
        data = np.diff(np.append(at, len(key))).astype(np.float64)  # the counts: HashingVectorizer's matrix
        key = key[at]
        indices = key % width
        if sublinear:
            np.log(data, data)
            data += 1.0
        if idf is not None:
            data *= idf[indices]
        if norm:
            starts = np.array([first for _, _, first, _ in self._blocks])
            pieces = np.searchsorted(key, (np.arange(n)[:, None] * width + starts).ravel())
            fine = csr_matrix((data, indices, np.append(pieces, len(key))), shape=(n * len(starts), width))
            inplace_csr_row_normalize_l2(fine)
            data = fine.data
        return csr_matrix((data, indices, np.searchsorted(key, np.arange(n + 1) * width)), shape=(n, width))

    def scores(self, X: csr_matrix) -> np.ndarray:
        """Calibrated probability of every label for each row of :meth:`transform`'s matrix.

        The classifier's ``predict_proba``; for the usual model (one sigmoid-calibrated
        logistic regression per label) computed as scikit-learn computes it,
        ``expit(-(a * (X @ w + b) + c))`` (the calibrator's ``predict``), without
        the per-call input checks, which cost more than the arithmetic on a batch.
        """
        if X.shape[0] == 0:
            return np.zeros((0, len(self.labels)))
        if self._sigmoids is None:
            return np.asarray(self.pipeline[-1].predict_proba(X))
        return np.column_stack([expit(-(a * (X @ coef_t + intercept).reshape(-1) + b))
                                for coef_t, intercept, a, b in self._sigmoids])

    def rows(self, X: csr_matrix) -> list[Row]:
        """The rows of :meth:`transform`'s matrix as cheap views (slicing a sparse matrix row by row costs
        more than the evidence it is for)."""
        if not X.has_sorted_indices:
            X = X.sorted_indices()
        bounds = X.indptr.tolist()
        return [Row(X.indices[a:b], X.data[a:b]) for a, b in pairwise(bounds)]

    def evidence(self, feats: PassageFeatures, row: Row | csr_matrix, label_indices: Sequence[int], *,
                 offset: int = 0, top: int = 3) -> dict[int, tuple[Evidence, ...]]:
        """For each label in ``label_indices``, the words of the passage that pushed its score up most.

        ``row`` is the passage's row of :meth:`transform` (from :meth:`rows`, or
        one row of the matrix). Offsets are into the
        passage, plus ``offset`` (the passage's start in its record). The
        passage's word features (lemma terms, pairs of terms, cue-lexicon hits)
        are hashed as the model hashes them, so each one's contribution
        (weight x value) can be read off and credited to its span; spans are
        ranked by total credit. Character n-grams also move the score but are
        not shown: a fragment of a word explains less than the word.

        The hashing and grouping were done by :meth:`transform` for its whole
        batch (or are done here for a passage it has not seen); what is left per
        label is a few array operations on the passage's hundred-odd features.
        """
        if isinstance(row, csr_matrix):
            row = self.rows(row)[0]
        nnz = len(row.indices)
        if not label_indices or nnz == 0:
            return {j: () for j in label_indices}
        index = feats.model_cache.get(self._layout)
        if index is None:
            self._index_evidence([feats], {})
            index = feats.model_cache[self._layout]
        cols, span_of, span_start, span_end = index
        at = np.minimum(np.searchsorted(row.indices, cols), nnz - 1)
        values = np.where(row.indices[at] == cols, row.data[at], 0.0)
        text, starts, ends = feats.text, span_start.tolist(), span_end.tolist()
        out: dict[int, tuple[Evidence, ...]] = {}
        for j in label_indices:
            credit = values * self._coef[j][cols]
            # occurrences come column by column, so each span's sum is added up in the order
            # (and to the bit) of the one-dictionary-entry-per-column loop this replaces
            credit = np.bincount(span_of, weights=np.maximum(credit, 0.0), minlength=len(starts))
            chosen: list[tuple[int, int]] = []
            # spans are numbered in (start, end) order: a stable sort breaks ties by span
            for k in np.argsort(-credit, kind="stable").tolist():
                if credit[k] <= 0:
                    break
                s, e = starts[k], ends[k]
                if not any(s < ce and cs < e for cs, ce in chosen):
                    chosen.append((s, e))
                if len(chosen) == top:
                    break
            out[j] = tuple(Evidence(text[s:e], s + offset, e + offset) for s, e in sorted(chosen))
        return out

    def _index_evidence(self, features: Sequence[PassageFeatures], hashed: dict[str, tuple[np.ndarray, ...]]) -> None:
        """Leave on each passage the word features :meth:`evidence` credits, hashed and grouped.

        The features are each term, each pair of neighbouring terms and each
        cue-lexicon hit (entity kinds are not shown as evidence). For each
        passage: the column of every occurrence, grouped by column with columns
        in the order their first feature occurs (terms, pairs, then tags), the
        number of the occurrence's span, and the spans' starts and ends.
        ``hashed`` holds the n-grams :meth:`transform` hashed for a block when
        they are these same features; the others are hashed here.
        """
        parts = [(np.zeros(0, np.int64),) * 4]
        for name, first, n_features in self._layout:
            if name not in _EVIDENCE_NGRAMS:
                continue
            cols, owner, lo, hi = hashed.get(name) or _word_ngrams(
                [_evidence_tokens(name, f) for f in features], _EVIDENCE_NGRAMS[name], n_features)
            spans = list(chain.from_iterable(f.term_spans if name == "terms" else f.tag_spans for f in features))
            names, starts, ends = zip(*spans, strict=True) if spans else ((), (), ())
            starts, ends = np.array(starts, np.int64)[lo], np.array(ends, np.int64)[hi]
            if name != "terms":
                keep = np.array([t.startswith(("LEX:", "CUE:")) for t in names], dtype=bool)[lo]
                cols, owner, starts, ends = cols[keep], owner[keep], starts[keep], ends[keep]
            parts.append((first + cols, owner, starts, ends))
        col, owner, start, end = (np.concatenate(x) for x in zip(*parts, strict=True))
        # passage by passage (terms before tags), then column by column in the order first met
        order = _stable_order(owner)
        col, owner, start, end = col[order], owner[order], start[order], end[order]
        _, first_seen, which = np.unique(owner * self._width + col, return_index=True, return_inverse=True)
        order = _stable_order(first_seen[which])
        col, owner, start, end = col[order], owner[order], start[order], end[order]
        # spans numbered passage by passage, in order
        base = int(end.max(initial=0)) + 1
        keys, span_of = np.unique((owner * base + start) * base + end, return_inverse=True)
        span_owner, span_start, span_end = keys // (base * base), keys // base % base, keys % base
        rows = np.arange(len(features) + 1)
        at = np.searchsorted(owner, rows).tolist()
        at_span = np.searchsorted(span_owner, rows).tolist()
        for i, f in enumerate(features):
            a, b, c, d = at[i], at[i + 1], at_span[i], at_span[i + 1]
            f.model_cache[self._layout] = (col[a:b], span_of[a:b] - c, span_start[c:d], span_end[c:d])


def hash_index(feature: str, n_features: int) -> int:
    """The column scikit-learn's ``HashingVectorizer(alternate_sign=False)`` gives ``feature`` (one string
    through the same hashing as :meth:`FactorModel.transform`)."""
    raw = feature.encode("utf-8")
    return int(_columns(raw, np.array([0]), np.array([len(raw)]), n_features)[0])


def _evidence_tokens(block: str, feats: PassageFeatures) -> list[str]:
    """The features evidence reads off a block's spans (their n-grams are :data:`_EVIDENCE_NGRAMS`)."""
    spans = feats.term_spans if block == "terms" else feats.tag_spans
    return [t for t, _, _ in spans]


def _native_tfidf(blocks: Sequence[Any]) -> tuple[bool, np.ndarray | None, bool] | None:
    """What :meth:`FactorModel.transform` needs to reproduce these fitted blocks, if it can.

    It can for the settings :func:`toolkit.model.build` uses: each block hashes
    character n-grams within words or word n-grams of a token pattern (counts,
    no signs, no norm), then applies tf-idf, the same kind in every block
    (with or without sublinear tf, idf weights, the l2 norm). Returns
    ``(sublinear tf, idf of every column or None, l2 norm)``, else ``None``.
    """
    kinds = set()
    for block in blocks:
        if not (isinstance(block, Pipeline) and len(block) == 2 and type(block[0]) is HashingVectorizer
                and type(block[-1]) is TfidfTransformer):
            return None
        vec, tfidf = block
        if not (vec.analyzer in ("char_wb", "word") and vec.input == "content" and vec.stop_words is None
                and not vec.alternate_sign and not vec.binary and vec.norm is None and vec.dtype == np.float64
                and tfidf.norm in (None, "l2")):
            return None
        kinds.add((bool(tfidf.sublinear_tf), bool(tfidf.use_idf), tfidf.norm))
    if len(kinds) != 1:
        return None
    sublinear, use_idf, norm = kinds.pop()
    idf = np.concatenate([block[-1].idf_ for block in blocks]) if use_idf else None
    return sublinear, idf, norm == "l2"


def _sigmoid_parts(clf: Any) -> list[tuple[np.ndarray, np.ndarray, float, float]] | None:
    """Per label, the logistic regression's transposed weights and intercept, and its calibrator's ``a_, b_``.

    ``None`` unless every label is one sigmoid-calibrated binary logistic
    regression on a multi-label target (what training fits when every label has
    examples of both values); :meth:`FactorModel.scores` then asks the classifier itself.
    """
    if getattr(clf, "multilabel_", False) is not True:
        return None
    parts = []
    for est in clf.estimators_:
        calibrated = getattr(est, "calibrated_classifiers_", None)
        if not isinstance(est, CalibratedClassifierCV) or calibrated is None or len(calibrated) != 1:
            return None
        cal = calibrated[0]
        lr = getattr(cal, "estimator", None)
        sigmoids = getattr(cal, "calibrators", None)
        if not (getattr(cal, "method", None) == "sigmoid" and isinstance(lr, LogisticRegression)
                and lr.coef_.shape[0] == 1 and list(getattr(cal, "classes", ())) == [0, 1]
                and list(lr.classes_) == [0, 1] and sigmoids is not None and len(sigmoids) == 1
                and isinstance(sigmoids[0], _SigmoidCalibration)):
            return None
        parts.append((lr.coef_.T, lr.intercept_, float(sigmoids[0].a_), float(sigmoids[0].b_)))
    return parts


# --- hashing as HashingVectorizer hashes, many n-grams at once ----------------------------------------

_C1, _C2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)
_TAIL = np.array([0, 0xFF, 0xFFFF, 0xFFFFFF], np.uint32)  # the bytes a tail of 0-3 keeps


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` of non-negative integers; a radix sort when they fit in 16 bits."""
    if keys.max(initial=0) < 2**16:
        keys = keys.astype(np.uint16)
    return np.argsort(keys, kind="stable")


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def murmurhash3(buf: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Signed 32-bit MurmurHash3 (x86, seed 0) of each byte string ``buf[starts[i]:ends[i]]``.

    Bit for bit ``sklearn.utils.murmurhash3_32(buf[s:e])``, the hash
    ``HashingVectorizer`` uses, but for all strings at once: a string is read
    as little-endian 4-byte blocks, block ``b`` mixed into every string with
    more than ``b`` whole blocks (sorting by block count makes those a
    suffix), then its 0-3 remaining bytes, then its length.
    """
    n = ends - starts
    whole = n // 4
    order = _stable_order(whole)
    s, n, whole = starts[order], n[order], whole[order]
    byte = np.frombuffer(buf + bytes(4), np.uint8).astype(np.uint32)
    words = byte[:-3] | byte[1:-2] << 8 | byte[2:-1] << 16 | byte[3:] << 24  # the 4 bytes from each offset
    h = np.zeros(len(s), np.uint32)
    for b in range(int(whole.max(initial=0))):
        first = int(np.searchsorted(whole, b, side="right"))
        k = _rotl(words[s[first:] + 4 * b] * _C1, 15) * _C2
        h[first:] = _rotl(h[first:] ^ k, 13) * np.uint32(5) + np.uint32(0xE6546B64)
    k = words[s + 4 * whole] & _TAIL[n & 3]  # the 0-3 bytes left (none: k = 0, which mixes in nothing)
    h ^= _rotl(k * _C1, 15) * _C2
    h ^= n.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    out = np.empty_like(h)
    out[order] = h
    return out.view(np.int32)


def _columns(buf: bytes, starts: np.ndarray, ends: np.ndarray, n_features: int) -> np.ndarray:
    """The column ``HashingVectorizer(alternate_sign=False)`` gives each byte string (``abs(h) % n``)."""
    return np.abs(murmurhash3(buf, starts, ends).astype(np.int64)) % n_features


def _utf8(text: str) -> tuple[bytes, np.ndarray]:
    """``text`` in UTF-8 and the byte offset of each of its characters, then of its end."""
    raw = text.encode("utf-8")
    lead = (np.frombuffer(raw, np.uint8) & 0xC0) != 0x80  # the first byte of each character
    return raw, np.append(np.flatnonzero(lead), len(raw))


def _char_wb_columns(docs: Sequence[str], ngram_range: tuple[int, int],
                     n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Column and document of every ``char_wb`` n-gram of the (preprocessed) ``docs``.

    As scikit-learn's ``_char_wb_ngrams``: each whitespace-separated word,
    padded with a space either side, gives every n-gram of each length in
    ``ngram_range`` that fits in it, and a word shorter than the shortest
    length gives itself once. All words go in one string, so one encoding and
    one hash call serve the batch.
    """
    words = [d.split() for d in docs]
    flat = list(chain.from_iterable(words))
    buf, at = _utf8(" " + "  ".join(flat) + " " if flat else "")
    size = np.fromiter(map(len, flat), np.int64, len(flat)) + 2  # padded words, in characters
    first = np.cumsum(size) - size
    word_doc = np.repeat(np.arange(len(docs)), [len(ws) for ws in words])
    end = np.repeat(first + size, size)  # for each character: where its word ends
    doc = np.repeat(word_doc, size)
    pos = np.arange(len(end))
    lo, hi = ngram_range
    short = size < lo
    starts, stops, owners = [at[first[short]]], [at[(first + size)[short]]], [word_doc[short]]
    for n in range(lo, hi + 1):
        p = pos[pos + n <= end]
        starts.append(at[p])
        stops.append(at[p + n])
        owners.append(doc[p])
    return _columns(buf, np.concatenate(starts), np.concatenate(stops), n_features), np.concatenate(owners)


def _word_ngrams(docs: Sequence[Sequence[str]], ngram_range: tuple[int, int],
                 n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Column, document, first and last token of every word n-gram of the tokenised ``docs``.

    Each document's n-grams come in the order of scikit-learn's ``_word_ngrams``
    (all of the shortest length, then the next); tokens are numbered across all
    documents. An n-gram is its tokens joined by spaces, so it is hashed as a
    slice of all the tokens joined.
    """
    flat = list(chain.from_iterable(docs))
    buf, at = _utf8(" ".join(flat))
    size = np.fromiter(map(len, flat), np.int64, len(flat))
    first = np.cumsum(size + 1) - (size + 1)  # where each token starts in the joined text
    counts = [len(d) for d in docs]
    doc = np.repeat(np.arange(len(docs)), counts)
    end = np.repeat(np.cumsum(counts), counts)  # for each token: one past its document's last
    tok = np.arange(len(flat))
    lo, hi = ngram_range
    heads, owners, lengths = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for n in range(lo, hi + 1):
        i = tok[tok + n <= end]
        heads.append(i)
        owners.append(doc[i])
        lengths.append(np.full(len(i), n))
    owner = np.concatenate(owners)
    order = _stable_order(owner)
    head, owner = np.concatenate(heads)[order], owner[order]
    tail = head + np.concatenate(lengths)[order] - 1
    cols = _columns(buf, at[first[head]], at[first[tail] + size[tail]], n_features)
    return cols, owner, head, tail


_LOADED: dict[Path, FactorModel] = {}
_LOCK = threading.Lock()


def load_model(path: Path | str | None = None) -> FactorModel:
    """Load a factor model folder (or ``.skops`` file) once per process; default: the bundled one.

    Raises:
        ModelError: missing, corrupted or untrusted model file.
    """
    path = Path(path) if path is not None else default_model_dir()
    file = path if path.suffix == ".skops" else path / MODEL_FILE
    card_file = file.with_name(CARD_FILE) if file.name == MODEL_FILE else file.with_suffix(".card.json")
    key = file.resolve()
    with _LOCK:
        if key not in _LOADED:
            pipeline = _model.load(file)
            card: dict[str, Any] = {}
            if card_file.is_file():
                try:
                    card = json.loads(card_file.read_text(encoding="utf-8"))
                except json.JSONDecodeError:
                    raise ModelError(f"{card_file}: model card is not valid JSON") from None
            labels = tuple(card.get("labels", _model.FACTORS))
            _LOADED[key] = FactorModel(pipeline, labels, card)
        return _LOADED[key]
