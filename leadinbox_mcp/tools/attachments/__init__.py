"""The text of an attachment a lead sent, compact, safe and bounded (the core of get_attachment):
see extract.py."""

from leadinbox_mcp.tools.attachments.extract import DEFAULT_LIMITS, Extracted, Limits, Section, Unreadable, extract

__all__ = ["DEFAULT_LIMITS", "Extracted", "Limits", "Section", "Unreadable", "extract"]
