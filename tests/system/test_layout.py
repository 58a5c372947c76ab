"""The house's rules, read from the files: small folders, short modules, no study codes, no cycles.

Plain file checks (no database): each failure names the offending folder, module or line.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path

from estimates.contracts import Diagnostics, OptionEstimates, QuestionRecord

ROOT = Path(__file__).resolve().parents[2]
# Every app of the project (a folder with apps.py), and config.
APPS = (*sorted(path.parent.name for path in ROOT.glob("*/apps.py")), "config")
# Never the project's own code: the environment, generated files, data and the tests.
OUTSIDE = {".venv", ".git", "var", "node_modules", "locale", "static", "__pycache__"}
MAX_MODULES = 15
MAX_LINES = 450
MAX_JS_LINES = 300

# Platform code: where a study's question code must not appear.
PLATFORM = (*APPS, "templates", "static/js")
NOT_PLATFORM = ("sampledata", "surveys/questionnaires", "tests", "benchmarks", "locale")
# Quoted strings that equal an SCO code but do not name the SCO question, with the reason.
# Role names equal some codes (country, age_group, gender, network_size); uses through
# QuestionRole.* never show the string. What is left after grep, file by file:
NOT_THE_QUESTION = {
    # The role definitions themselves and the constraint over their values.
    ("surveys/models/questionnaire.py", "country"): "QuestionRole.COUNTRY's value",
    ("surveys/models/questionnaire.py", "age_group"): "QuestionRole.AGE_GROUP's value",
    ("surveys/models/questionnaire.py", "gender"): "QuestionRole.GENDER's value",
    ("surveys/models/questionnaire.py", "network_size"): "QuestionRole.NETWORK_SIZE's value",
    # Response.network_size: the stored degree column, filled from the NETWORK_SIZE role.
    ("surveys/services.py", "network_size"): "the Response column erased on withdrawal",
    ("exports/rows/rds_csv.py", "network_size"): "the Response column",
    ("estimates/rds/refresh.py", "network_size"): "the Response column",
    ("exports/rows/wide.py", "network_size"): "the Response column exported",
    ("exports/options.py", "network_size"): "the Response column exported",
    ("exports/rows/codebook.py", "network_size"): "the Response column's codebook entry",
    ("api/serializers.py", "network_size"): "the Response column the API shows",
    ("api/views.py", "network_size"): "the Response column the API shows",
    # The colour-by choice ?color=country and the alias of the COUNTRY-role answer.
    ("recruitment/tree/build.py", "country"): "colour-by choice, COUNTRY-role answer alias",
    ("templates/organize/tree.html", "country"): "the colour-by choice ?color=country",
    ("recruitment/monitor/tally.py", "country"): "alias of the COUNTRY-role answer",
    # The chains table's ?country= filter, named by the role like the dashboard's filters.
    ("recruitment/views.py", "country"): "the ?country= filter, named by the COUNTRY role",
    ("templates/organize/monitor.html", "country"): "the ?country= filter, named by the role",
    # A common word used as a JSON key, not the SCO question "status".
    ("config/views.py", "status"): "the /healthz JSON key",
    ("templates/surveys/too_many_starts.html", "status"): "the ARIA live region's role",
    ("analytics/views/exports.py", "status"): "the export job's JSON key (ExportJob.status)",
    ("incentives/models.py", "status"): "the ledger entry's column in an index",
}


def _python_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if not parts & OUTSIDE:
            yield path


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_app_folder_holds_more_than_15_modules() -> None:
    crowded = []
    for app in APPS:
        folders = [ROOT / app, *(p.parent for p in (ROOT / app).rglob("__init__.py"))]
        for folder in sorted(set(folders)):
            if "migrations" in folder.parts or "__pycache__" in folder.parts:
                continue
            count = len(list(folder.glob("*.py")))
            if count > MAX_MODULES:
                crowded.append(f"{_relative(folder)}: {count} modules")
    assert not crowded, f"folders over {MAX_MODULES} modules (make a subpackage): {crowded}"


def test_no_module_is_longer_than_450_lines() -> None:
    long = []
    for path in _python_files(ROOT):
        parts = path.relative_to(ROOT).parts
        if {"migrations", "tests", "benchmarks"} & set(parts):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            long.append(f"{_relative(path)}: {lines} lines")
    assert not long, f"modules over {MAX_LINES} lines (split them): {long}"


def test_no_script_of_our_own_is_longer_than_300_lines() -> None:
    scripts = sorted((ROOT / "static" / "js").rglob("*.js"))
    assert len(scripts) >= 10, "the scripts were not found"
    long = [
        f"{_relative(path)}: {lines} lines"
        for path in scripts
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_JS_LINES
    ]
    assert not long, f"scripts over {MAX_JS_LINES} lines (split them into ES modules): {long}"


def _sco_question_codes() -> list[str]:
    data = json.loads((ROOT / "surveys/questionnaires/sco-2025.json").read_text(encoding="utf-8"))
    return [question["code"] for page in data["pages"] for question in page["questions"]]


def _platform_files() -> Iterator[Path]:
    for top in PLATFORM:
        for path in sorted((ROOT / top).rglob("*")):
            name = _relative(path)
            if path.suffix not in {".py", ".html", ".js", ".txt"} or "migrations" in path.parts:
                continue
            if any(name == skip or name.startswith(skip + "/") for skip in NOT_PLATFORM):
                continue
            yield path


def test_the_sco_question_codes_appear_nowhere_in_platform_code() -> None:
    codes = _sco_question_codes()
    assert {"country", "awareness", "platforms", "network_size"} <= set(codes)
    alternatives = "|".join(map(re.escape, codes))
    uses = re.compile(
        rf"""(?P<q>["'])(?P<quoted>{alternatives})(?P=q)"""
        rf"""|answers__(?P<lookup>{alternatives})\b"""
        rf"""|answers\s*->>?\s*'(?P<sql>{alternatives})'"""
    )
    found = []
    for path in _platform_files():
        name = _relative(path)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in uses.finditer(line):
                # Lookups and SQL on the answers always name the question: never allowed.
                if match["quoted"] and (name, match["quoted"]) in NOT_THE_QUESTION:
                    continue
                found.append(f"{name}:{number}: {line.strip()}")
    assert not found, (
        "SCO question codes in platform code (ask for a role: survey.role_code(QuestionRole.X)):\n"
        + "\n".join(found)
    )


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[str]:
    """Yield every module the file imports, inside functions too, and every model it names.

    Only imports under ``if TYPE_CHECKING:`` are left out: they never run. A model read by
    name (``apps.get_model("estimates", "RDSQuestion")`` or ``"estimates.RDSQuestion"``) is a
    dependency on its app all the same.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for statement in block.body
        for node in ast.walk(statement)
    }
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *filter(None, [base])])
            for alias in node.names:
                yield f"{base}.{alias.name}"
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value.split(".")[0]


def _project_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in _python_files(ROOT / app):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    return modules


def _module_graph() -> dict[str, dict[str, str]]:
    """Return, per project module, the project modules it imports (the longest known prefix)."""
    modules = _project_modules()
    graph: dict[str, dict[str, str]] = {name: {} for name in modules}
    for name, path in modules.items():
        for imported in _imports(path):
            target = imported
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                graph[name].setdefault(target, f"{_relative(path)} imports {imported}")
    return graph


def _app_graph() -> dict[str, dict[str, str]]:
    """Return, per app, the other apps it imports (anywhere) and one import that does."""
    graph: dict[str, dict[str, str]] = {app: {} for app in APPS}
    for name, targets in _module_graph().items():
        app = name.split(".")[0]
        for target, why in targets.items():
            other = target.split(".")[0]
            if other != app:
                graph[app].setdefault(other, why)
    return graph


def _cycle(graph: dict[str, dict[str, str]]) -> list[str]:
    """Return one cycle of the graph as a list of apps (first == last), or an empty list."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(app: str) -> list[str]:
        state[app] = "open"
        path.append(app)
        for target in graph[app]:
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        state[app] = "done"
        path.pop()
        return []

    for app in graph:
        if app not in state and (found := visit(app)):
            return found
    return []


def test_the_apps_import_each_other_without_a_cycle() -> None:
    graph = _app_graph()
    cycle = _cycle(graph)
    edges = [graph[a][b] for a, b in itertools.pairwise(cycle)]
    assert not cycle, f"apps import each other in a cycle {' -> '.join(cycle)}: {edges}"


def test_the_modules_import_each_other_without_a_cycle() -> None:
    graph = _module_graph()
    cycle = _cycle(graph)
    edges = [graph[a][b] for a, b in itertools.pairwise(cycle)]
    assert not cycle, f"modules import each other in a cycle {' -> '.join(cycle)}: {edges}"


def test_imports_inside_functions_and_models_named_by_string_are_seen() -> None:
    module = ROOT / "recruitment" / "_layout_probe.py"
    module.write_text(
        "from django.apps import apps\n\n\ndef late():\n"
        "    from aggregates.tasks import aggregates_rebuild_task\n"
        "    return apps.get_model('estimates', 'RDSQuestion'), aggregates_rebuild_task\n",
        encoding="utf-8",
    )
    try:
        found = set(_imports(module))
    finally:
        module.unlink()
    assert {"aggregates.tasks.aggregates_rebuild_task", "estimates"} <= found


def test_the_survey_app_imports_no_other_app() -> None:
    # surveys is the base: the organizers' app, analytics and sample data build on it.
    graph = _app_graph()
    assert not graph["surveys"], f"surveys imports other apps: {list(graph['surveys'].values())}"


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b": "a imports b"}, "b": {"c": "b imports c"}, "c": {"a": "c imports a"}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b": ""}, "b": {}}) == []


# Only estimates.contracts knows the stored keys of the RDS estimates; every other module reads
# the typed records (RDSQuestion.record()), so renaming or adding a key is one change. The keys
# come from the contract itself (what to_json writes), so a key added to it is guarded at once.
# A read by string key is a subscript (share["ss_low"]), a .get("ss_low") or a raw read of the
# JSON columns (values_list("question", "shares")); templates get the selectors' view models.
CONTRACT = ROOT / "estimates" / "contracts.py"
NOT_READERS = {*OUTSIDE, "tests", "migrations"}

# Every key of an option's stored dict and of the stored diagnostics.
STORED_KEYS = frozenset(OptionEstimates().to_json()) | frozenset(
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
            if node.slice.value in STORED_KEYS:
                found.append(f"{node.lineno}: [{node.slice.value!r}]")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            args, method = _string_args(node), node.func.attr
            if method in {"get", "pop", "setdefault"} and args[:1] and args[0] in STORED_KEYS:
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
    assert {"rds2", "low", "tree_low", "ss_method", "hcg_high", "ss_by_size"} <= STORED_KEYS
    reads = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if NOT_READERS & set(relative.parts) or path == CONTRACT:
            continue
        reads += [f"{relative}:{read}" for read in string_key_reads(path.read_text("utf-8"))]
    assert not reads, f"read the typed records of estimates.contracts instead: {reads}"
