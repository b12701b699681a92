"""A conservative token estimate for budgets, without a tokenizer dependency.

UTF-8 bytes / 3 over-counts English prose (about 4 characters a token) and matches scripts
whose characters take three bytes and about one token each, so a response sized with it stays
within the budget under common tokenizers. Tests check that with a real tokenizer.
"""

from __future__ import annotations


def estimate_tokens(text: str) -> int:
    return -(-len(text.encode("utf-8")) // 3)
