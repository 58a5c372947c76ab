"""Only analytics.contracts knows the stored keys of the RDS estimates; every other module reads
the typed records (``RDSQuestion.record()``), so a key renamed or added is one change.

The keys are taken from the contract itself (what ``to_json`` writes), so a key added to it is
guarded at once. A read by string key is a subscript (``share["ss_low"]``), a ``.get("ss_low")``
or a raw read of the JSON columns (``values_list("question", "shares")``). Templates get the
selectors' view models (percent, translated), never a stored dict.
"""

from __future__ import annotations

import ast
from pathlib import Path

from analytics.contracts import Diagnostics, OptionEstimates, QuestionRecord

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "analytics" / "contracts.py"
OUTSIDE = {".venv", ".git", "var", "node_modules", "locale", "static", "tests", "migrations"}

# Every key of an option's stored dict and of the stored diagnostics.
OPTION_KEYS = frozenset(OptionEstimates().to_json()) | frozenset(
    Diagnostics(population_homophily={}, population_homophily_unavailable="-").to_json()
)
# The JSON columns of RDSQuestion that only the estimates have (``unavailable``, ``homophily``
# and ``version`` are also other models' column names).
JSON_COLUMNS = frozenset(QuestionRecord().to_json()) - {"version", "homophily", "unavailable"}


def _string_args(call: ast.Call) -> list[str]:
    return [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]


def string_key_reads(source: str) -> list[str]:
    """Return each read of a stored estimate key in the source, as "line: key"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            if node.slice.value in OPTION_KEYS:
                found.append(f"{node.lineno}: [{node.slice.value!r}]")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            args, method = _string_args(node), node.func.attr
            if method in {"get", "pop", "setdefault"} and args[:1] and args[0] in OPTION_KEYS:
                found.append(f"{node.lineno}: .{method}({args[0]!r})")
            if method in {"values", "values_list"} and JSON_COLUMNS & set(args):
                found.append(f"{node.lineno}: .{method}{tuple(args)}")
    return found


def test_the_check_sees_each_way_of_reading_an_estimate_by_its_key() -> None:
    source = (
        "low = shares['blue']['tree_low']\n"
        "ss = share.get('ss_low')\n"
        "rows = RDSQuestion.objects.values_list('question', 'shares')\n"
        "curve = extra.get('ss_by_size', [])\n"
        "fine = record.option('blue').rds2.low\n"
    )
    assert string_key_reads(source) == [
        "1: ['tree_low']",
        "2: .get('ss_low')",
        "3: .values_list('question', 'shares')",
        "4: .get('ss_by_size')",
    ]


def test_no_module_outside_the_contract_reads_an_estimate_by_its_stored_key() -> None:
    assert {"rds2", "low", "tree_low", "ss_method", "hcg_high", "ss_by_size"} <= OPTION_KEYS
    reads = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if OUTSIDE & set(relative.parts) or path == CONTRACT:
            continue
        reads += [f"{relative}:{read}" for read in string_key_reads(path.read_text("utf-8"))]
    assert not reads, f"read the typed records of analytics.contracts instead: {reads}"
