"""Benchmarks of inbox-mcp: `python -m bench` from the repository root prints them."""
