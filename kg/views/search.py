"""Search over labels, synonyms and acronyms (lay words included), tolerant of typos.

Ranking, best first (within a tier shorter names first):

1. the whole query is a name: the label, then an exact synonym or acronym ("ESI", "SCS"), then a
   lay, related, broader or narrower synonym ("cortisone shot");
2. a name starts with the query ("facet joint" finds "facet joint injection");
3. every query word starts a word of one name, in any order ("root l5" finds "L5 nerve root");
4. every query word starts a word of some name of the term (its label and synonyms together);
5. the query appears inside a longer word (only for five letters or more: "ESI" is not in "obesity");
6. the best subset of the query's words ("sciatica leg pain" finds sciatica first): terms ranked by
   the share of the query they cover, rarer words counting more, a name wholly in the query first;
7. a similar spelling (typos), for queries of four letters or more.

Query words also match name words they resemble closely (five letters or more), so a typo in one
word of several does not lose the term. Small words ("of", "the", "in") do not count. The index
is plain Python over the snapshot of kg.views.graphdata: a few thousand names, fast enough for
a scan per keystroke.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from kg.namespaces import LBP
from kg.query.library import get_query, render
from kg.store import Store
from kg.views.graphdata import UPPER, GraphData, graph_data

MAX_QUERY = 200
MAX_WORDS = 12
FUZZY_MIN = 0.75
WORD_FUZZY_MIN = 0.8
DEFINITION_CHARS = 160

# Score tiers; within a tier shorter names rank first.
EXACT_LABEL, EXACT_SYNONYM, EXACT_OTHER_SYNONYM = 1000, 950, 900
LABEL_PREFIX, SYNONYM_PREFIX = 850, 800
LABEL_WORDS, SYNONYM_WORDS, TERM_WORDS = 700, 650, 620
SUBSTRING = 550
TYPO_WORDS, TYPO_SPAN = 500, 60  # every word, some misspelt: TYPO_WORDS + TYPO_SPAN * the worst word's similarity
SUBSET, SUBSET_SPAN = 400, 140  # SUBSET + SUBSET_SPAN * covered share (+ WHOLE_NAME): below TERM_WORDS
WHOLE_NAME = 30
FUZZY = 400

# Choosing one term for a word (kg.views.search.choose): a label, or an exact synonym or acronym, is
# taken unless another term has the same name; any other best match only when the next term scores
# at least CLEAR_MARGIN below it (a tier and a half: "slipped disc", a lay synonym, against the
# prefix of another synonym). Otherwise the candidates within CANDIDATE_SPAN of the best are offered.
CLEAR_MARGIN = 75
CANDIDATE_SPAN = 90
MAX_CANDIDATES = 8

STOPWORDS = frozenset("a an and at by for from in into my of on or the to with".split())

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
    """One result: the term, its label, the name that matched and how, its type and definition."""

    iri: str
    label: str
    matched: str
    match_kind: str
    how: str
    score: float
    area: str | None
    definition: str = ""

    @property
    def local(self) -> str:
        return self.iri[len(str(LBP)):]

    @property
    def short_definition(self) -> str:
        return trim(self.definition)

    def to_json(self) -> dict[str, object]:
        return {"id": f"lbp:{self.local}", "iri": self.iri, "label": self.label, "matched": self.matched,
                "match_kind": self.match_kind, "how": self.how, "score": round(self.score, 1), "area": self.area,
                "definition": self.short_definition}


def trim(text: str, most: int = DEFINITION_CHARS) -> str:
    """A definition cut at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= most:
        return text
    cut = text[:most].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def normalise(text: str) -> str:
    """Lower case, accents and punctuation dropped, spelling variants folded."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(VARIANTS.get(w, w) for w in words)


def content_words(norm: str) -> list[str]:
    """The words that count for matching: small words dropped, unless that leaves none."""
    words = norm.split()
    kept = [w for w in words if w not in STOPWORDS]
    return kept or words


class SearchIndex:
    def __init__(self, data: GraphData, definitions: dict[str, str] | None = None):
        self.data = data
        self.definitions = definitions or {}
        self.names: list[Name] = []
        self.by_term: dict[str, list[Name]] = {}
        for iri in sorted(data.classes):
            if not iri.startswith(str(LBP)) or iri in data.deprecated:
                continue
            names = [Name(iri, data.label(iri), normalise(data.label(iri)), "label")]
            names += [Name(iri, s, normalise(s), kind) for kind, s in data.synonyms.get(iri, [])]
            names = [n for n in names if n.norm]
            self.names.extend(names)
            self.by_term[iri] = names
        self.vocabulary: set[str] = {w for n in self.names for w in n.norm.split()}
        self.words: dict[Name, list[str]] = {n: content_words(n.norm) for n in self.names}
        self._word_cache: dict[str, dict[str, float]] = {}
        # Document frequency of each word over terms (all of a term's names together).
        self.df: dict[str, int] = {}
        for names in self.by_term.values():
            for w in {w for n in names for w in n.norm.split()}:
                self.df[w] = self.df.get(w, 0) + 1

    def area(self, iri: str) -> str | None:
        """The upper class a term falls under, as a word ("disorder", "intervention")."""
        uppers = [u for u in self.data.ancestors.get(iri, ()) if u in UPPER]
        if iri in UPPER:
            return None
        return self.data.label(sorted(uppers)[0]) if uppers else None

    def word_matches(self, qword: str) -> dict[str, float]:
        """The words of the vocabulary a query word stands for, with how sure: 1 for those it
        starts, the similarity for those it closely resembles (a typo; five letters or more)."""
        cached = self._word_cache.get(qword)
        if cached is not None:
            return cached
        out = {w: 1.0 for w in self.vocabulary if w.startswith(qword)}
        if len(qword) >= 5:
            for w in self.vocabulary:
                if w not in out and abs(len(w) - len(qword)) <= 2:
                    m = SequenceMatcher(None, qword, w)
                    if m.real_quick_ratio() >= WORD_FUZZY_MIN and m.ratio() >= WORD_FUZZY_MIN:
                        out[w] = m.ratio()
        if len(self._word_cache) > 5000:
            self._word_cache.clear()
        self._word_cache[qword] = out
        return out

    def weight(self, matches: dict[str, float]) -> float:
        """How much a query word tells: rarer words (fewer terms share them) weigh more."""
        df = max((self.df.get(w, 0) for w in matches), default=0)
        return math.log(1 + len(self.by_term) / (1 + df)) + 0.1

    def _best_name(self, q: str, names: list[Name], qwords: list[str],
                   matches: dict[str, dict[str, float]]) -> tuple[float, Name, str] | None:
        """The best single name of a term for the query, scored by tier."""
        top: tuple[float, Name, str] | None = None
        for name in names:
            scored = score(q, name, qwords, matches)
            if scored is None:
                continue
            value = scored[0] - min(len(name.norm), 60) / 100  # shorter names first within a tier
            if top is None or value > top[0]:
                top = (value, name, scored[1])
        return top

    def _best_subset(self, names: list[Name], qwords: list[str], matches: dict[str, dict[str, float]],
                     weights: dict[str, float]) -> tuple[float, Name, str] | None:
        """A term's score over all its names together: every query word found somewhere in them,
        or the share of the query they cover (rare words weigh more, typos less)."""
        sure: dict[str, float] = {}
        whole_name: Name | None = None
        for name in names:
            nwords = self.words[name]
            found = {}
            for w in qwords:
                s = max((matches[w].get(x, 0.0) for x in nwords), default=0.0)
                if s > 0:
                    found[w] = s
                    sure[w] = max(sure.get(w, 0.0), s)
            # a name wholly within the query ("sciatica" in "sciatica leg pain")
            if found and whole_name is None and all(any(x in matches[w] for w in found) for x in nwords):
                whole_name = name
        if not sure:
            return None
        if len(sure) == len(qwords):
            shown = whole_name or names[0]
            worst = min(sure.values())
            value: float
            if worst == 1.0:
                value, how = TERM_WORDS, "all words, across its names"
            else:
                value, how = TYPO_WORDS - 10 + TYPO_SPAN * worst, "all words across its names, allowing typos"
            return value - min(len(shown.norm), 60) / 100, shown, how
        share = sum(weights[w] * s for w, s in sure.items()) / sum(weights.values())
        covered = {x for w in sure for x in matches[w]}
        shown = whole_name or max(names, key=lambda n: sum(1 for x in self.words[n] if x in covered))
        value = SUBSET + SUBSET_SPAN * share + (WHOLE_NAME if whole_name else 0) - min(len(shown.norm), 60) / 100
        return value, shown, f"{len(sure)} of {len(qwords)} words"

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        q = normalise(query[:MAX_QUERY])
        if not q:
            return []
        qwords = list(dict.fromkeys(content_words(q)))[:MAX_WORDS]
        matches = {w: self.word_matches(w) for w in qwords}
        weights = {w: self.weight(m) for w, m in matches.items()}
        best: dict[str, tuple[float, Name, str]] = {}
        for iri, names in self.by_term.items():
            top = self._best_name(q, names, qwords, matches)
            if len(qwords) > 1 and (top is None or top[0] < TERM_WORDS):
                subset = self._best_subset(names, qwords, matches, weights)
                if subset is not None and (top is None or subset[0] > top[0]):
                    top = subset
            if top is not None:
                best[iri] = top
        ranked = sorted(best.values(), key=lambda x: (-x[0], x[1].norm))[:limit]
        return [Hit(n.iri, self.data.label(n.iri), n.text, n.kind, how, v, self.area(n.iri),
                    self.definitions.get(n.iri, "")) for v, n, how in ranked]


def score(q: str, name: Name, qwords: list[str] | None = None,
          matches: dict[str, dict[str, float]] | None = None) -> tuple[float, str] | None:
    """The tier (plus a fuzzy fraction) of one name for a normalised query, or None."""
    n = name.norm
    label = name.kind == "label"
    if n == q:
        if label:
            return EXACT_LABEL, "exact label"
        return (EXACT_SYNONYM if name.kind == "exact" else EXACT_OTHER_SYNONYM), f"{name.kind} synonym"
    if n.startswith(q + " ") or (n.startswith(q) and len(q) >= 3):
        return (LABEL_PREFIX, "label prefix") if label else (SYNONYM_PREFIX, f"{name.kind} synonym prefix")
    words = n.split()
    qwords = qwords if qwords is not None else content_words(q)
    if matches is None:
        matches = {w: {x: 1.0 for x in words if x.startswith(w)} for w in qwords}
    sure = [max((matches[w].get(x, 0.0) for x in words), default=0.0) for w in qwords]
    if qwords and min(sure) == 1.0:
        return (LABEL_WORDS, "all words of label") if label else (SYNONYM_WORDS, f"all words of {name.kind} synonym")
    if qwords and min(sure) > 0:
        # every word there, some misspelt: above a plain subset, below the exact word tiers
        return TYPO_WORDS + TYPO_SPAN * min(sure) + (10 if label else 0), "all words, allowing typos"
    if len(q) >= 5 and q in n:
        return SUBSTRING + (20 if label else 0), "part of " + ("label" if label else f"{name.kind} synonym")
    if len(q) >= 4:
        ratio = fuzzy(q, n, words, len(q.split()))
        if ratio >= FUZZY_MIN:
            return FUZZY * ratio + (10 if label else 0), "similar spelling"
    return None


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


def definitions(store: Store) -> dict[str, str]:
    """Every term's English definition (queries/education/term-definitions.rq)."""
    rendered = render(get_query("education/term-definitions"))
    out: dict[str, str] = {}
    for row in store.query(rendered.sparql, bindings=rendered.bindings).rows:
        out.setdefault(row["term"].value, row["definition"].value)
    return out


_INDEXES: dict[int, tuple[GraphData, SearchIndex]] = {}
_LOCK = threading.Lock()


def search_index(store: Store) -> SearchIndex:
    """The index of a store's snapshot, built on first use."""
    data = graph_data(store)
    with _LOCK:
        hit = _INDEXES.get(id(data))
        if hit is None or hit[0] is not data:
            hit = (data, SearchIndex(data, definitions(store)))
            _INDEXES[id(data)] = hit
        return hit[1]


def search(store: Store, query: str, limit: int = 20) -> list[Hit]:
    return search_index(store).search(query, limit)


def _named(data: GraphData, text: str) -> str | None:
    """The term a local name, lbp:CURIE or full IRI names, if any."""
    for candidate in (text, str(LBP) + text, str(LBP) + text.removeprefix("lbp:")):
        if candidate in data.labels:
            return candidate
    return None


def resolve(store: Store, text: str) -> str | None:
    """A term IRI from what a person typed: a local name, lbp:CURIE, full IRI, else the best hit."""
    text = text.strip()
    named = _named(graph_data(store), text)
    if named is not None:
        return named
    hits = search(store, text, limit=1)
    return hits[0].iri if hits else None


@dataclass(frozen=True)
class Choice:
    """What a word stands for: one term (`iri`), or the terms it may mean (`candidates`, best first),
    or nothing (neither)."""

    text: str
    iri: str | None = None
    candidates: tuple[Hit, ...] = ()
    hit: Hit | None = None  # the search hit taken, when the word was not a local name, CURIE or IRI

    @property
    def ambiguous(self) -> bool:
        return self.iri is None and bool(self.candidates)


def choose(store: Store, text: str) -> Choice:
    """The term a person means by a word, or the candidates to ask about when several match about
    equally well. Taken without asking: a local name, CURIE or IRI; a label, exact synonym or acronym
    that no other term shares; a match clearly ahead of the next. "disc" (a lay synonym of
    intervertebral disc, and the start of discitis, disc herniation...) asks; "nerve" (a label) and
    "slipped disc" (a lay synonym far ahead of any other match) do not."""
    text = text.strip()
    named = _named(graph_data(store), text)
    if named is not None:
        return Choice(text, named)
    hits = search(store, text, limit=MAX_CANDIDATES + 1)
    if not hits:
        return Choice(text)
    top = hits[0]
    # whole-name matches: the score of the tier, less at most 0.6 for a long name (see _best_name)
    exact = [h for h in hits if h.score > EXACT_SYNONYM - 1]
    if top.score > EXACT_SYNONYM - 1 and len(exact) == 1:
        return Choice(text, top.iri, hit=top)
    if top.score <= EXACT_SYNONYM - 1 and (len(hits) == 1 or top.score - hits[1].score >= CLEAR_MARGIN):
        return Choice(text, top.iri, hit=top)
    close = [h for h in hits if h.score > top.score - CANDIDATE_SPAN]
    if len(close) < 3:  # only one or two close: offer what comes next too, within a wider span
        close = [h for h in hits if h.score > top.score - 2 * CANDIDATE_SPAN]
    return Choice(text, None, tuple(close[:MAX_CANDIDATES]))
