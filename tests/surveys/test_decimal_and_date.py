"""Decimal, date and note questions (XLSForm types) are asked, checked and stored."""

from __future__ import annotations

import csv
import io

from django.test import Client

from exports.options import ExportOptions
from exports.stream import export_chunks
from surveys.models import Response
from surveys.questionnaire.loader import questionnaire_load
from tests.flow import pace

DATA = {
    "slug": "market-2026",
    "title": {"en": "Market prices"},
    "consent": {"en": "Anonymous."},
    "consent_label": {"en": "I agree"},
    "pages": [
        {
            "code": "prices",
            "title": {"en": "Prices"},
            "questions": [
                {"code": "intro_note", "kind": "note", "required": False,
                 "text": {"en": "Prices are in tenge."}},
                {"code": "bread_price", "kind": "decimal", "text": {"en": "Price of bread?"},
                 "constraint": ". > 0", "constraint_message": {"en": "A price is above zero."}},
                {"code": "bought_on", "kind": "date", "text": {"en": "When did you buy it?"}},
            ],
        }
    ],
}  # fmt: skip


def test_a_decimal_a_date_and_a_note_go_from_the_page_to_the_export(db: None) -> None:
    survey = questionnaire_load(data=DATA)
    client = Client()
    client.post("/en/s/market-2026/", {"consent": "on"})
    page = client.get("/en/s/market-2026/p/1/").content.decode()
    assert "Prices are in tenge." in page and 'type="date"' in page
    refused = client.post(
        "/en/s/market-2026/p/1/", {"bread_price": "-2", "bought_on": "2026-13-01"}
    )
    assert refused.status_code == 400
    assert "A price is above zero." in refused.content.decode()
    assert "Enter a date." in refused.content.decode()
    pace(survey)
    done = client.post(
        "/en/s/market-2026/p/1/", {"bread_price": "185.5", "bought_on": "2026-03-02"}
    )
    assert done["Location"].endswith("/thanks/")
    assert Response.objects.get().answers == {"bread_price": 185.5, "bought_on": "2026-03-02"}
    data = b"".join(export_chunks(survey=survey, options=ExportOptions(kind="responses")))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert (rows[0]["bread_price"], rows[0]["bought_on"]) == ("185.5", "2026-03-02")
    assert "intro_note" not in rows[0]
