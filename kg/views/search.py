"""Search over labels and synonyms (lay words included), tolerant of typos.

Ranking, best first: exact label > label prefix > exact synonym > synonym prefix > a word of a
name starting with the query > substring > fuzzy (typos). The index is plain Python over the
snapshot of kg.views.graphdata: a few thousand names, so a scan per keystroke is fast enough.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from kg.namespaces import LBP
from kg.store import Store
from kg.views.graphdata import UPPER, GraphData, graph_data

MAX_QUERY = 200
FUZZY_MIN = 0.75

# Score tiers; within a tier shorter names rank first.
EXACT_LABEL, LABEL_PREFIX, EXACT_SYNONYM, SYNONYM_PREFIX = 1000, 900, 800, 750
LABEL_WORD, SYNONYM_WORD, SUBSTRING, FUZZY = 700, 650, 500, 400

# Spelling variants folded before matching, so "disk" finds "disc" without counting as a typo.
VARIANTS = {"disk": "disc", "disks": "discs", "oedema": "edema", "haemorrhage": "hemorrhage"}


@dataclass(frozen=True)
class Name:
    iri: str
    text: str
    norm: str
    kind: str  # label | exact | related | broad | narrow | lay


@dataclass(frozen=True)
class Hit:
    """One result: the term, its label, the name that matched and how."""

    iri: str
    label: str
    matched: str
    match_kind: str
    how: str
    score: float
    area: str | None

    @property
    def local(self) -> str:
        return self.iri[len(str(LBP)):]

    def to_json(self) -> dict[str, object]:
        return {"id": f"lbp:{self.local}", "iri": self.iri, "label": self.label, "matched": self.matched,
                "match_kind": self.match_kind, "how": self.how, "score": round(self.score, 1), "area": self.area}


def normalise(text: str) -> str:
    """Lower case, accents and punctuation dropped, spelling variants folded."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(VARIANTS.get(w, w) for w in words)


class SearchIndex:
    def __init__(self, data: GraphData):
        self.data = data
        self.names: list[Name] = []
        for iri in sorted(data.classes):
            if not iri.startswith(str(LBP)) or iri in data.deprecated:
                continue
            self.names.append(Name(iri, data.label(iri), normalise(data.label(iri)), "label"))
            for kind, synonym in data.synonyms.get(iri, []):
                self.names.append(Name(iri, synonym, normalise(synonym), kind))

    def area(self, iri: str) -> str | None:
        """The upper class a term falls under, as a word ("disorder", "intervention")."""
        uppers = [u for u in self.data.ancestors.get(iri, ()) if u in UPPER]
        if iri in UPPER:
            return None
        return self.data.label(sorted(uppers)[0]) if uppers else None

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        q = normalise(query[:MAX_QUERY])
        if not q:
            return []
        best: dict[str, tuple[float, Name, str]] = {}
        for name in self.names:
            scored = score(q, name)
            if scored is None:
                continue
            value, how = scored
            value -= min(len(name.norm), 60) / 100  # shorter names first within a tier
            if name.iri not in best or value > best[name.iri][0]:
                best[name.iri] = (value, name, how)
        ranked = sorted(best.values(), key=lambda x: (-x[0], x[1].norm))[:limit]
        return [Hit(n.iri, self.data.label(n.iri), n.text, n.kind, how, v, self.area(n.iri)) for v, n, how in ranked]


def score(q: str, name: Name) -> tuple[float, str] | None:
    """The tier (plus a fuzzy fraction) of one name for a normalised query, or None."""
    n = name.norm
    label = name.kind == "label"
    if n == q:
        return (EXACT_LABEL, "exact label") if label else (EXACT_SYNONYM, f"{name.kind} synonym")
    if n.startswith(q):
        return (LABEL_PREFIX, "label prefix") if label else (SYNONYM_PREFIX, f"{name.kind} synonym prefix")
    words = n.split()
    qwords = q.split()
    if _words_prefix(qwords, words):
        return (LABEL_WORD, "word of label") if label else (SYNONYM_WORD, f"word of {name.kind} synonym")
    if q in n:
        return SUBSTRING + (20 if label else 0), "part of " + ("label" if label else f"{name.kind} synonym")
    ratio = fuzzy(q, n, words, len(qwords))
    if ratio >= FUZZY_MIN:
        return FUZZY * ratio + (10 if label else 0), "similar spelling"
    return None


def _words_prefix(qwords: list[str], words: list[str]) -> bool:
    """Every query word starts some word of the name, in order ('l5 root' finds 'L5 nerve root')."""
    i = 0
    for w in words:
        if i < len(qwords) and w.startswith(qwords[i]):
            i += 1
    return i == len(qwords)


def fuzzy(q: str, n: str, words: list[str], qlen: int) -> float:
    """Best similarity of the query with the whole name, its start, or a run of as many words."""
    if abs(len(n) - len(q)) <= 3 or len(n) < len(q):
        best = SequenceMatcher(None, q, n).ratio()
    else:
        best = SequenceMatcher(None, q, n[: len(q)]).ratio() * 0.95
    for i in range(0, max(1, len(words) - qlen + 1)):
        window = " ".join(words[i:i + qlen])
        if abs(len(window) - len(q)) <= 3:
            matcher = SequenceMatcher(None, q, window)
            if matcher.real_quick_ratio() >= FUZZY_MIN and matcher.quick_ratio() >= FUZZY_MIN:
                best = max(best, matcher.ratio())
    return best


_INDEXES: dict[int, tuple[GraphData, SearchIndex]] = {}
_LOCK = threading.Lock()


def search_index(store: Store) -> SearchIndex:
    """The index of a store's snapshot, built on first use."""
    data = graph_data(store)
    with _LOCK:
        hit = _INDEXES.get(id(data))
        if hit is None or hit[0] is not data:
            hit = (data, SearchIndex(data))
            _INDEXES[id(data)] = hit
        return hit[1]


def search(store: Store, query: str, limit: int = 20) -> list[Hit]:
    return search_index(store).search(query, limit)


def resolve(store: Store, text: str) -> str | None:
    """A term IRI from what a person typed: a local name, lbp:CURIE, full IRI, else the best hit."""
    text = text.strip()
    data = graph_data(store)
    for candidate in (text, str(LBP) + text, str(LBP) + text.removeprefix("lbp:")):
        if candidate in data.labels:
            return candidate
    hits = search(store, text, limit=1)
    return hits[0].iri if hits else None
