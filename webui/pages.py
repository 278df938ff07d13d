"""Browsing pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from kg.summary import area_counts
from webui.kgaccess import get_kg

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    return render_template("pages/home.html", areas=area_counts(get_kg()))
