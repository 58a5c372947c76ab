"""Estimate a survey's population size by SS-PSE and write the posterior's summaries as JSON."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.rds.sample import RDSError
from analytics.rds.sspse_estimates import population_size_json, survey_population_size
from surveys.models import Survey


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Estimate the size of the population a survey sampled (SS-PSE, Handcock, Gile & Mar "
        "2014) from the analyst's prior median; write map, mean, median, lower, upper (2.5 % and "
        "97.5 %) and the prior as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="survey slug")
        parser.add_argument(
            "--prior-median",
            required=True,
            type=_positive,
            help="your best guess of the population size (the prior's median)",
        )
        parser.add_argument("--samples", type=_positive, default=2000, help="posterior draws")
        parser.add_argument("--seed", type=int, help="random seed, for a reproducible result")
        parser.add_argument("--output", required=True, type=Path, help="JSON file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.filter(slug=options["survey"]).first()
        if survey is None:
            raise CommandError(f"There is no survey {options['survey']!r}.")
        try:
            result = survey_population_size(
                survey=survey,
                prior_median=options["prior_median"],
                samples=options["samples"],
                seed=options["seed"],
            )
        except RDSError as error:
            raise CommandError(str(error)) from error
        output: Path = options["output"]
        output.write_text(json.dumps(population_size_json(result), indent=2) + "\n")
        self.stdout.write(
            f"N: median {result.median:.0f}, 95 % interval {result.lower:.0f}-{result.upper:.0f}, "
            f"MAP {result.map:.0f} ({result.n} respondents) → {output}"
        )
