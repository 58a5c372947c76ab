from surveys.models.questionnaire import (
    Option,
    Page,
    Question,
    QuestionKind,
    QuestionRole,
    Survey,
)
from surveys.models.recruitment import LinkEvent, SeedLink
from surveys.models.responses import Draft, Response

__all__ = [
    "Draft",
    "LinkEvent",
    "Option",
    "Page",
    "Question",
    "QuestionKind",
    "QuestionRole",
    "Response",
    "SeedLink",
    "Survey",
]
