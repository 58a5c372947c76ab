from surveys.models.changes import ResponseChange
from surveys.models.per_survey import OneRowPerSurvey
from surveys.models.quality import DesignChange, QualityReview
from surveys.models.questionnaire import (
    Option,
    Page,
    Question,
    QuestionKind,
    QuestionRole,
    Survey,
)
from surveys.models.recruitment import LinkEvent, SeedLink
from surveys.models.responses import Draft, Response, Review, unflagged_q

__all__ = [
    "DesignChange",
    "Draft",
    "LinkEvent",
    "OneRowPerSurvey",
    "Option",
    "Page",
    "QualityReview",
    "Question",
    "QuestionKind",
    "QuestionRole",
    "Response",
    "ResponseChange",
    "Review",
    "SeedLink",
    "Survey",
    "unflagged_q",
]
