"""The respondent's session belongs to surveys.visitor; services take plain values."""

from __future__ import annotations

from pathlib import Path

from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from surveys import visitor
from surveys.models import Survey
from surveys.services import Attribution, PageAnswers, draft_save_page, draft_start

ROOT = Path(__file__).resolve().parents[2]


def test_only_the_visitor_module_touches_the_respondents_session() -> None:
    touching = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "surveys").rglob("*.py")
        if "request.session" in path.read_text(encoding="utf-8")
    )
    assert touching == ["surveys/visitor.py"]


def test_a_visitors_session_keeps_the_link_code_the_draft_and_the_response_per_survey(
    sco_survey: Survey, rf: RequestFactory
) -> None:
    request = rf.get("/")
    request.session = SessionStore()
    other = Survey(slug="another-survey")
    assert visitor.visitor_link_code(request=request, survey=sco_survey) == ""
    assert visitor.visitor_draft(request=request, survey=sco_survey) is None
    assert visitor.visitor_response(request=request, survey=sco_survey) is None
    visitor.visitor_remember_link_code(request=request, survey=sco_survey, code="ABC")
    draft = draft_start(survey=sco_survey, language="en", attribution=Attribution(), client_hash="")
    visitor.visitor_remember_draft(request=request, survey=sco_survey, draft=draft)
    assert visitor.visitor_link_code(request=request, survey=sco_survey) == "ABC"
    assert visitor.visitor_draft(request=request, survey=sco_survey) == draft
    assert visitor.visitor_link_code(request=request, survey=other) == ""
    assert visitor.visitor_draft_token(request=request, survey=other) == ""


def test_a_saved_page_replaces_the_answers_of_its_own_questions_only(sco_survey: Survey) -> None:
    draft = draft_start(survey=sco_survey, language="en", attribution=Attribution(), client_hash="")
    draft.answers = {"kept": "yes", "changed": "old", "cleared": "old"}
    draft.other_texts = {"changed": "old text"}
    draft.save()  # a page is merged into the draft as stored
    page = PageAnswers(
        question_codes=("changed", "cleared"),
        answers={"changed": "new"},
        other_texts={"changed": "new text"},
    )
    draft_save_page(draft=draft, page=page, next_index=2, language="kk")
    draft.refresh_from_db()
    assert draft.answers == {"kept": "yes", "changed": "new"}
    assert draft.other_texts == {"changed": "new text"}
    assert (draft.page_index, draft.language) == (2, "kk")
