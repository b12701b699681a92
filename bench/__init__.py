"""Benchmarks of leadinbox-mcp: `python -m bench` from the repository root prints them."""
