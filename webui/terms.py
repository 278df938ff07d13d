"""Placeholder blueprint, filled in by the web UI work."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("terms", __name__)
