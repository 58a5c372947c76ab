"""Quarantine of flagged responses: the flags' labels and the organizers' decisions.

A flagged response is kept, never deleted. An organizer accepts it (it counts like any other)
or excludes it (it leaves the "without flagged" figures), reversibly; every decision is logged
in ``QualityReview``. An excluded respondent stays in the recruitment forest as a structural
node, so their recruits keep their recruiter and wave.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from surveys.changefeed.feed import change_record
from surveys.links import limits
from surveys.models import QualityReview, Response, ResponseChange, Review
from surveys.signals import response_flagged, response_reviewed

# Every quality flag a response can carry, by its stable code (surveys/links/limits.py and the
# paradata checks write them); a code missing here is shown as it is.
FLAG_LABELS: dict[str, Promise] = {
    limits.FLAG_COUPON_OVERRUN: _("recruited beyond the link's limit"),
    limits.FLAG_SAME_CLIENT_RECENTLY: _("same answers from the same client within a day"),
    limits.FLAG_SAME_CLIENT_AS_RECRUITER: _("same client as their recruiter"),
    limits.FLAG_TOO_FAST: _("completed too fast"),
    limits.FLAG_HONEYPOT: _("filled a field hidden from people"),
    limits.FLAG_SAME_DEVICE: _("same device as another response"),
    limits.FLAG_SAME_DEVICE_OTHER_CHAIN: _("same device as a response in another chain"),
    limits.FLAG_SAME_PAYOUT_CONTACT: _("same payout contact as another response"),
}


def flag_label(code: str) -> str:
    """Return the translated label of a quality flag, or its code when it has none."""
    label = FLAG_LABELS.get(code)
    return str(label) if label is not None else code


def response_review(
    *, response: Response, decision: str, user: AbstractBaseUser | None
) -> Response:
    """Accept, exclude or reset ("") a response's review, log it, and ask for a full rebuild.

    Deciding what is already decided changes nothing and logs nothing. After the decision
    commits, ``response_reviewed`` asks analytics to rebuild the survey's aggregates and
    estimates from scratch: a review moves a response in or out of the counts it is in.
    """
    if decision not in Review.values:
        raise ValidationError(_("Unknown review decision."), code="review_decision")
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.withdrawn_at is not None:
            raise ValidationError(
                _("This response was withdrawn; there is nothing left to review."),
                code="review_withdrawn",
            )
        if locked.review == decision:
            return locked
        now = timezone.now()
        locked.review = decision
        # A reset leaves the response unreviewed; who reset it and when stays in the log.
        locked.reviewed_by = user if decision else None
        locked.reviewed_at = now if decision else None
        locked.save(update_fields=["review", "reviewed_by", "reviewed_at"])
        QualityReview.objects.create(
            response=locked, decision=decision, decided_by=user, decided_at=now
        )
        change_record(response=locked, kind=ResponseChange.Kind.REVIEWED)
        transaction.on_commit(lambda: response_reviewed.send(sender=Response, response=locked))
    return locked


def response_flag_add(*, response: Response, flag: str) -> Response:
    """Add a quality flag to a stored response; adding one it has changes nothing.

    Once it commits, ``response_flagged`` has the aggregates rebuilt: a flagged response
    leaves the "without flagged" figures until an organizer accepts it.
    """
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.withdrawn_at is not None or flag in locked.quality_flags:
            return locked
        locked.quality_flags = [*locked.quality_flags, flag]
        locked.save(update_fields=["quality_flags"])
        change_record(response=locked, kind=ResponseChange.Kind.FLAGGED)
        transaction.on_commit(lambda: response_flagged.send(sender=Response, response=locked))
    return locked


def review_log(*, response: Response) -> list[QualityReview]:
    """Return every decision on the response, newest first, with who made it."""
    return list(response.quality_reviews.select_related("decided_by"))
