"""Estimate a survey's population size by SS-PSE and write the posterior's summaries as JSON."""

import json
from argparse import ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from estimates.rds.sample import RDSError
from estimates.rds.sspse_estimates import population_size_json, survey_population_size
from surveys.models import Survey


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _seed(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)  # numpy's generators take non-negative seeds only
    return value


def _quartiles(text: str) -> tuple[int, int]:
    """Parse Q1,Q3."""
    try:
        low, high = (int(part) for part in text.split(","))
    except ValueError as error:
        raise ArgumentTypeError("expected two whole numbers Q1,Q3, e.g. 800,1500") from error
    return low, high


class Command(BaseCommand):
    help = (
        "Estimate the size of the population a survey sampled (SS-PSE, Handcock, Gile & Mar "
        "2014) from the analyst's prior median (or quartiles); write map, mean, median, lower, "
        "upper (2.5 % and 97.5 %) and the prior as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="survey slug")
        prior = parser.add_mutually_exclusive_group(required=True)
        prior.add_argument(
            "--prior-median",
            type=_positive,
            help="your best guess of the population size (the prior's median)",
        )
        prior.add_argument(
            "--prior-quartiles",
            type=_quartiles,
            metavar="Q1,Q3",
            help="instead of the median: the prior's lower and upper quartiles, e.g. 800,1500",
        )
        parser.add_argument("--samples", type=_positive, default=2000, help="posterior draws")
        parser.add_argument("--seed", type=_seed, help="random seed, for a reproducible result")
        parser.add_argument("--output", required=True, type=Path, help="JSON file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.filter(slug=options["survey"]).first()
        if survey is None:
            raise CommandError(f"There is no survey {options['survey']!r}.")
        quartiles = options["prior_quartiles"]
        if isinstance(quartiles, str):  # call_command passes the unparsed text along
            quartiles = _quartiles(quartiles)
        try:
            result = survey_population_size(
                survey=survey,
                prior_median=options["prior_median"],
                prior_quartiles=quartiles,
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
