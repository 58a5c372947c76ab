"""Self-started chain roots, withdrawn responses erased down to their tombstone, and the
survey's population size (for Gile's SS estimates)."""

from django.db import migrations, models

BATCH = 2000


def roots_and_tombstones(apps, schema_editor):
    """Make link-less respondents wave-0 roots, recompute their chains, erase withdrawn data."""
    Response = apps.get_model("surveys", "Response")
    Draft = apps.get_model("surveys", "Draft")
    Response.objects.filter(
        recruiter__isnull=True, seed_link__isnull=True, wave__isnull=True
    ).update(wave=0, self_started=True)
    # Recruits took their recruiter's wave + 1 with an empty wave read as 0, so they should
    # already agree; recomputed anyway, a recruiter always stored before their recruits.
    wave_of: dict[int, int] = dict(
        Response.objects.filter(self_started=True).values_list("id", "wave")
    )
    rows = (
        Response.objects.filter(seed_link__isnull=True, recruiter__isnull=False)
        .order_by("id")
        .values_list("id", "recruiter_id", "wave")
    )
    for pk, recruiter_id, wave in rows.iterator(chunk_size=BATCH):
        if recruiter_id not in wave_of:
            continue
        wave_of[pk] = wave_of[recruiter_id] + 1
        if wave != wave_of[pk]:
            Response.objects.filter(pk=pk).update(wave=wave_of[pk])
    # A withdrawal only hid the answers before: erase what the privacy page says is deleted.
    withdrawn = Response.objects.filter(withdrawn_at__isnull=False)
    Draft.objects.filter(token__in=withdrawn.values_list("submission_key", flat=True)).delete()
    withdrawn.update(
        answers={},
        other_texts={},
        network_size=None,
        client_hash="",
        quality_flags=[],
        language="",
        started_at=models.F("submitted_at"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0004_question_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="self_started",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(roots_and_tombstones, migrations.RunPython.noop),
        migrations.AddField(
            model_name="survey",
            name="population_size",
            field=models.PositiveIntegerField(
                blank=True,
                help_text=(
                    "How many people make up the population the recruitment chains were drawn "
                    "from. Needed for Gile's successive-sampling (SS) estimates; leave empty if "
                    "unknown."
                ),
                null=True,
                verbose_name="population size",
            ),
        ),
        migrations.AddField(
            model_name="survey",
            name="population_size_high",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="population size, high guess"
            ),
        ),
        migrations.AddField(
            model_name="survey",
            name="population_size_low",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="population size, low guess"
            ),
        ),
    ]
