"""The evidence behind each clinical association, read once from the graph for every page.

Every page that shows a statement (term page, comparison, tour, relate, graph view, JSON API)
shows it with what the literature says about it: certainty and who graded it, direction of
effect, size, population, frequency and severity of a risk, kind of contraindication, the
guideline recommendation it comes from, the curator's caveat and the sources. This module is the
one place that reads those annotations (through `queries/evidence/statements.rq`) and says in
words what they mean, so no page can show a statement without its caveat.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kg.namespaces import LBP
from kg.results import Term

# Relations by what they say about an intervention and a condition. A page that suggests an
# intervention (a treatment, or an investigation it is indicated in) for a condition may use only
# SUPPORTING ones, and never when an OPPOSING one or a
# contraindication holds for the same pair.
SUPPORTING = frozenset({str(LBP.usedFor), str(LBP.recommendedFor), str(LBP.indicatedIn)})
OPPOSING = frozenset({str(LBP.noBenefitFor), str(LBP.notRecommendedFor)})
CONTRAINDICATED = str(LBP.contraindicatedIn)

_FIELDS = {
    "certainty": "certainty",
    "gradedBy": "graded_by",
    "reportedGrade": "reported_grade",
    "direction": "direction",
    "magnitude": "magnitude",
    "population": "population",
    "frequency": "frequency",
    "severity": "severity",
    "contraindication": "contraindication",
    "recommendation": "recommendation",
    "recommendationDirection": "recommendation_direction",
    "strength": "strength",
    "recommendationText": "recommendation_text",
    "sensitivity": "sensitivity",
    "specificity": "specificity",
    "positiveLikelihoodRatio": "positive_likelihood_ratio",
    "negativeLikelihoodRatio": "negative_likelihood_ratio",
    "falsePositiveRate": "false_positive_rate",
    "positivePredictiveValue": "positive_predictive_value",
    "referenceStandard": "reference_standard",
    "mcid": "mcid",
}
# Accuracy figures in the order a reader expects them, with their names.
ACCURACY = (
    ("sensitivity", "sensitivity"),
    ("specificity", "specificity"),
    ("positive_likelihood_ratio", "LR+"),
    ("negative_likelihood_ratio", "LR−"),
    ("false_positive_rate", "false-positive rate"),
    ("positive_predictive_value", "positive predictive value"),
)


@dataclass(frozen=True)
class Evidence:
    """What the graph records about one association statement (IRIs for graded values)."""

    certainty: str | None = None
    graded_by: str | None = None
    reported_grade: str | None = None
    direction: str | None = None
    magnitude: str | None = None
    population: str | None = None
    frequency: str | None = None
    severity: str | None = None
    contraindication: str | None = None
    recommendation: str | None = None
    recommendation_direction: str | None = None
    strength: str | None = None
    recommendation_text: str | None = None
    sensitivity: str | None = None
    specificity: str | None = None
    positive_likelihood_ratio: str | None = None
    negative_likelihood_ratio: str | None = None
    false_positive_rate: str | None = None
    positive_predictive_value: str | None = None
    reference_standard: str | None = None
    mcid: str | None = None
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def certainty_key(self) -> str | None:
        """high | moderate | low | very-low | established: for CSS classes and sorting."""
        return _key(self.certainty, "certainty-")

    @property
    def direction_key(self) -> str | None:
        return _key(self.direction, "direction-")

    @property
    def accuracy(self) -> list[tuple[str, str]]:
        """The accuracy figures the source reports, named: [("sensitivity", "0.92"), ...]."""
        return [(name, str(getattr(self, attr))) for attr, name in ACCURACY if getattr(self, attr) is not None]

    @property
    def against(self) -> bool:
        """A recommendation against, or evidence of no benefit or harm."""
        return self.recommendation_direction == str(LBP["recommendation-against"]) or self.direction_key in (
            "no-benefit", "harm")


@dataclass(frozen=True)
class Statement:
    """One association statement: subject, relation and object IRIs with its evidence."""

    subject: str
    relation: str
    object: str
    evidence: Evidence = field(default_factory=Evidence)


def _key(iri: str | None, prefix: str) -> str | None:
    if iri is None:
        return None
    return iri.rsplit("/", 1)[-1].removeprefix(prefix)


def statements_from_rows(rows: Iterable[Mapping[str, Term]]) -> list[Statement]:
    """Rows of the statements queries (one per statement and source) -> one Statement each."""
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = row["statement"].value
        item = merged.get(key)
        if item is None:
            item = merged[key] = {
                "subject": row["subject"].value, "relation": row["relation"].value, "object": row["object"].value,
                "notes": [], "sources": [],
            }
            for var, attr in _FIELDS.items():
                if var in row:
                    item[attr] = row[var].value
        if "note" in row and row["note"].value not in item["notes"]:
            item["notes"].append(row["note"].value)
        if "source" in row and row["source"].value not in item["sources"]:
            item["sources"].append(row["source"].value)
    out = []
    for item in merged.values():
        evidence = Evidence(
            **{attr: item.get(attr) for attr in _FIELDS.values()},
            notes=tuple(item["notes"]), sources=tuple(sorted(item["sources"])),
        )
        out.append(Statement(item["subject"], item["relation"], item["object"], evidence))
    out.sort(key=lambda s: (s.subject, s.relation, s.object, s.evidence.sources))
    return out


def as_json(evidence: Evidence, label: Any) -> dict[str, Any]:
    """The evidence of a statement for the JSON API and the graph view: IRIs with their labels."""

    def ref(iri: str | None) -> dict[str, str] | None:
        return {"iri": iri, "label": label(iri)} if iri else None

    return {
        "summary": in_words(evidence, label),
        "certainty": ref(evidence.certainty),
        "graded_by": ref(evidence.graded_by),
        "reported_grade": evidence.reported_grade,
        "direction": ref(evidence.direction),
        "magnitude": evidence.magnitude,
        "population": evidence.population,
        "frequency": ref(evidence.frequency),
        "severity": ref(evidence.severity),
        "contraindication": ref(evidence.contraindication),
        "recommendation": {
            "iri": evidence.recommendation,
            "text": evidence.recommendation_text,
            "direction": ref(evidence.recommendation_direction),
            "strength": ref(evidence.strength),
        } if evidence.recommendation else None,
        "accuracy": {attr: float(getattr(evidence, attr)) for attr, _ in ACCURACY
                     if getattr(evidence, attr) is not None} or None,
        "reference_standard": evidence.reference_standard,
        "mcid": evidence.mcid,
        "caveats": list(evidence.notes),
        "sources": [ref(s) for s in evidence.sources],
    }


def in_words(evidence: Evidence, label: Any) -> str:
    """One line a reader can take in: "moderate certainty · benefit · small, short-term"."""
    parts: list[str] = []
    if evidence.recommendation:
        parts.append(f"recommendation {label(evidence.recommendation_direction)} ({label(evidence.strength)})")
    for iri in (evidence.certainty, evidence.direction, evidence.frequency, evidence.severity,
                evidence.contraindication):
        if iri:
            parts.append(label(iri))
    for text in (evidence.magnitude, evidence.population):
        if text:
            parts.append(text)
    parts.extend(f"{name} {value}" for name, value in evidence.accuracy)
    if evidence.reference_standard:
        parts.append(f"against {evidence.reference_standard}")
    if evidence.mcid:
        parts.append(f"smallest important change: {evidence.mcid}")
    return " · ".join(parts)


@dataclass(frozen=True)
class ScaleValue:
    iri: str
    label: str
    definition: str


def grading_scales(store: Any) -> dict[str, list[ScaleValue]]:
    """Each evidence scale's values in rank order, with definitions (the evidence guide page)."""
    from kg.query.library import get_query, render

    rendered = render(get_query("evidence/grading-scales"))
    scales: dict[str, list[ScaleValue]] = {}
    for row in store.query(rendered.sparql, bindings=rendered.bindings).rows:
        scales.setdefault(row["scaleLabel"].value, []).append(
            ScaleValue(row["value"].value, row["label"].value, row["definition"].value))
    return scales
