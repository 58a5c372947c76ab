"""Time the RDS refresh's maths stage by stage on a synthetic survey of 10k / 100k / 1M.

Synthetic, not a database: a random recruitment forest (``bench_bootstrap.simulate_forest``, 20
seeds, 0-3 recruits each) answering the shipped study's twelve questions (ten single choice, two
multiple choice, 76 options; ``sampledata.study``), one in ten respondents flagged. Each stage
calls what ``estimates.rds.refresh.survey_records`` calls, in its order, for every question;
``--whole`` also times ``survey_records`` itself (the refresh minus reading the responses and
SS). The baseline, in the same run, is the plain RDS-II point estimates of every question.
SS, HCG and SS-PSE are timed by ``bench_estimators.py``.

Run with ``.venv/bin/python benchmarks/bench_refresh.py [--sizes 10000 100000 1000000]``. Not a
test: it prints one line per stage and size, and the process's peak memory after each size. It
is not in ``make bench``: ``bench_rds.py`` times the whole refresh of the stack's real survey.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _setup() -> None:
    # The estimates import Django's settings (the refresh module): set them up before importing.
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def _timed(label: str, size: int, action: Callable[[], object]) -> object:
    # CPU seconds beside the wall clock: on a shared machine the wall clock counts the others'.
    started, cpu = time.perf_counter(), time.process_time()
    result = action()
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    print(f"{label:<40} n = {size:>9,}: {wall:8.2f} s ({used:7.2f} s CPU)", flush=True)
    return result


def _survey(size: int, rng: np.random.Generator) -> tuple:
    from benchmarks.bench_bootstrap import simulate_forest
    from estimates.rds.estimators.records import Design, Forest, QuestionSpec
    from estimates.rds.ss_estimates import SSWeights
    from sampledata.study import MULTIPLE_CHOICE, STUDY_SHARES

    sample, _ = simulate_forest(respondents=size, seeds=20, max_recruits=3, rng=rng)
    answers, specs = {}, []
    for code, shares in STUDY_SHARES.items():
        k = len(shares)
        answered = rng.random(size) < 0.9
        if code in MULTIPLE_CHOICE:
            ticked = rng.random((size, k)) < 0.3
        else:
            ticked = np.zeros((size, k), dtype=bool)
            ticked[np.arange(size), rng.integers(0, k, size)] = True
        answers[code] = (ticked & answered[:, None], answered)
        single = code not in MULTIPLE_CHOICE
        specs.append(QuestionSpec(code=code, single=single, options=[f"o{i}" for i in range(k)]))
    forest = Forest(
        sample=sample,
        answers=answers,
        seed_labels={},
        outside=0,
        unflagged=rng.random(size) >= 0.1,
        times=np.arange(size, dtype=float),
    )
    # SS is left out here (its weights are timed by bench_estimators): no SS weight set.
    design = Design(
        ss=SSWeights(unavailable="timed apart"),
        interval_method="tree",
        population_size=10 * size,
        hcg_unavailable="timed apart",
    )
    return forest, specs, design


def _run(size: int, replicates: int, whole: bool) -> None:
    from estimates.rds.diagnostics import bottleneck_multi, convergence_multi, question_diagnostics
    from estimates.rds.estimators.records import BOOTSTRAP_SEED, ORDER_POINTS, survey_records
    from estimates.rds.estimators.reported import r_intervals, tree_intervals
    from estimates.rds.sample import rds_sample
    from estimates.rds.weights import homophily, rds1_shares, rds2_multi_shares

    rng = np.random.default_rng(1)
    forest, specs, design = _survey(size, rng)
    sample = forest.sample
    ids = list(sample.ids)
    recruiters = [None if p < 0 else ids[p] for p in sample.parent.tolist()]
    degrees = sample.degree.tolist()
    _timed(
        "forest from rows (rds_sample)",
        size,
        lambda: rds_sample(ids=ids, recruiter_ids=recruiters, degrees=degrees),
    )
    common = {
        q.code: {
            "ticked": forest.answers[q.code][0],
            "answered": forest.answers[q.code][1],
            "options": q.options,
        }
        for q in specs
    }
    _timed(
        "BASELINE: RDS-II points, every question",
        size,
        lambda: [rds2_multi_shares(sample, **common[q.code]) for q in specs],
    )
    _timed(
        "tree bootstrap, all questions x 3 sets",
        size,
        lambda: tree_intervals(
            sample,
            questions={c: (a["ticked"], a["answered"], a["options"]) for c, a in common.items()},
            ss_weights=None,
            kept=forest.unflagged,
            method="tree",
            replicates=replicates,
            seed=BOOTSTRAP_SEED,
        ),
    )
    singles = [q for q in specs if q.single]
    values = {}
    for q in singles:
        labels = np.array([*q.options, None], dtype=object)
        ticked, answered = forest.answers[q.code]
        values[q.code] = labels[np.where(answered, ticked.argmax(axis=1), len(q.options))].tolist()
    rds1 = _timed(
        "RDS-I + homophily, single choice",
        size,
        lambda: {
            q.code: (
                rds1_shares(sample, values=values[q.code]),
                homophily(sample, values=values[q.code]),
            )
            for q in singles
        },
    )
    _timed(
        "R's EL intervals (RDS-II, RDS-I)",
        size,
        lambda: [
            r_intervals(
                sample,
                rds1=rds1[q.code][0] if q.single else None,
                ss_weights=None,
                population_size=design.population_size,
                **common[q.code],
            )
            for q in specs
        ],
    )
    _timed(
        "without flagged (RDS-II, RDS-I)",
        size,
        lambda: [
            (
                rds2_multi_shares(
                    sample,
                    ticked=common[q.code]["ticked"],
                    options=q.options,
                    answered=common[q.code]["answered"] & forest.unflagged,
                ),
                q.single
                and rds1_shares(
                    sample,
                    values=np.where(
                        forest.unflagged, np.array(values[q.code], dtype=object), None
                    ).tolist(),
                ),
            )
            for q in specs
        ],
    )
    _timed(
        "diagnostics (curves, bottleneck, ...)",
        size,
        lambda: [
            (
                convergence_multi(sample, by="wave", points=ORDER_POINTS, **common[q.code]),
                convergence_multi(sample, by="order", points=ORDER_POINTS, **common[q.code]),
                bottleneck_multi(sample, **common[q.code]),
                question_diagnostics(
                    sample, values=values.get(q.code), ss_curve=[], **common[q.code]
                ),
            )
            for q in specs
        ],
    )
    if whole:
        records = _timed(
            "WHOLE survey_records (all of the above)",
            size,
            lambda: survey_records(
                forest=forest, questions=specs, replicates=replicates, design=design
            ),
        )
        _timed(
            "storage shape (to_json, json.dumps)",
            size,
            lambda: len(json.dumps([r.to_json() for r in records.values()], default=str)),
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak memory of the process so far':<40} n = {size:>9,}: {peak:8.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--whole", action="store_true", help="also time survey_records itself")
    args = parser.parse_args()
    _setup()
    for size in args.sizes:
        _run(size, args.replicates, args.whole)


if __name__ == "__main__":
    main()
