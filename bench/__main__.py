"""`python -m bench`: the message-body pipeline's size and speed, as one table."""

from __future__ import annotations

import sys

from bench.render import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
