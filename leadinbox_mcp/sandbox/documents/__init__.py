"""Attachments the sandbox's leads send, as real files: an RFP (PDF), a signed order form (DOCX),
a pricing workbook (XLSX, two sheets), a seat list (CSV), a pitch deck with speaker notes (PPTX),
call notes (TXT), a pricing page (HTML), a forwarded budget approval (EML) and a dashboard
screenshot (PNG).

Written by scripts/make_documents.py (deterministic: run it again and git stays clean), but for
the call notes and the pricing page, which are edited here by hand; read them with load().
"""

from __future__ import annotations

from importlib.resources import files

NAMES: tuple[str, ...] = (
    "Initech_RFP_Revenue_Forecasting_2026.pdf",
    "PW-2026-0318_Order_Form_LumenPay_signed.docx",
    "Pipewise_Pricing_2026.xlsx",
    "lumenpay_seats.csv",
    "Pipewise_for_LumenPay.pptx",
    "call_notes_2026-02-19.txt",
    "pipewise_pricing_page.html",
    "Fwd_Budget_approval_Pipewise.eml",
    "forecast_dashboard.png",
)


def load(filename: str) -> bytes | None:
    """The bytes of the sandbox document `filename` (one of NAMES); None for any other name."""
    if filename not in NAMES:
        return None
    return files(__name__).joinpath(filename).read_bytes()
