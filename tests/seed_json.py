"""The JSON examples embedded in the provider doc pages copied to tests/seeds/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).parent / "seeds"


def seed_text(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def json_examples(prefix: str) -> list[Any]:
    """Every top-level JSON object in a doc page, in order (pages repeat some examples)."""
    text = seed_text(prefix)
    decoder = json.JSONDecoder()
    found: list[Any] = []
    index = 0
    while (start := text.find("{", index)) != -1:
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            index = start + 1
            continue
        if isinstance(value, dict):
            found.append(value)
        index = end
    return found
