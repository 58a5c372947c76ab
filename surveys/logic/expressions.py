"""Parse XLSForm conditions into a small tree and evaluate it; nothing is ever ``eval``-ed.

The language is the subset of ODK's XPath that questionnaires use for skip logic, checks and
screening: ``${code}``, ``.`` (the question itself, in a constraint), quoted strings, integer
and decimal numbers, ``= != < <= > >=``, ``and``, ``or``, ``not(…)``, ``selected(${code},
'opt')``, ``count-selected(${code})``, ``true()``, ``false()`` and parentheses. A tree is a
tuple, so that it can be cached, compared and sent to the browser as JSON unchanged:
``("ref", code)``, ``("self",)``, ``("lit", value)``, ``("cmp", op, left, right)``,
``("and", left, right)``, ``("or", left, right)``, ``("not", node)``,
``("selected", ref, option)``, ``("count", ref)``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

Node = tuple[Any, ...]
COMPARISONS = ("=", "!=", "<=", ">=", "<", ">")

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{(?P<code>[A-Za-z_][\w.-]*)\})
      | (?P<number>\d+(?:\.\d+)?|\.\d+)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<op>!=|<=|>=|=|<|>|\(|\)|,)
      | (?P<name>[A-Za-z][\w-]*)
      | (?P<self>\.)
    )""",
    re.VERBOSE,
)


class ExpressionError(ValueError):
    """An expression that does not parse; ``position`` is where reading stopped."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.position = position


def _tokens(text: str) -> list[tuple[str, Any, int]]:
    tokens: list[tuple[str, Any, int]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            start = len(text) - len(text[position:].lstrip())
            raise ExpressionError(f"unexpected {text[start]!r}", start)
        start = match.start(match.lastgroup or 0)
        if match.group("ref"):
            tokens.append(("ref", match.group("code"), start))
        elif match.group("number"):
            number = match.group("number")
            tokens.append(("lit", float(number) if "." in number else int(number), start))
        elif match.group("string"):
            tokens.append(("lit", match.group("string")[1:-1], start))
        elif match.group("op"):
            tokens.append(("op", match.group("op"), start))
        elif match.group("name"):
            tokens.append(("name", match.group("name"), start))
        else:
            tokens.append(("self", ".", start))
        position = match.end()
    tokens.append(("end", None, len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, Any, int]:
        return self.tokens[self.at]

    def take(self, kind: str, value: Any = None) -> tuple[str, Any, int]:
        token = self.peek()
        if token[0] != kind or (value is not None and token[1] != value):
            wanted = repr(value) if value is not None else kind
            found = "the end" if token[0] == "end" else repr(token[1])
            raise ExpressionError(f"expected {wanted}, found {found}", token[2])
        self.at += 1
        return token

    def whole(self) -> Node:
        node = self.disjunction()
        self.take("end")
        return node

    def disjunction(self) -> Node:
        node = self.conjunction()
        while self.peek()[:2] == ("name", "or"):
            self.at += 1
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self) -> Node:
        node = self.comparison()
        while self.peek()[:2] == ("name", "and"):
            self.at += 1
            node = ("and", node, self.comparison())
        return node

    def comparison(self) -> Node:
        node = self.primary()
        kind, value, _ = self.peek()
        if kind == "op" and value in COMPARISONS:
            self.at += 1
            node = ("cmp", value, node, self.primary())
        return node

    def primary(self) -> Node:
        kind, value, position = self.peek()
        if kind == "op" and value == "(":
            self.at += 1
            node = self.disjunction()
            self.take("op", ")")
            return node
        if kind in {"ref", "lit"}:
            self.at += 1
            return (kind, value)
        if kind == "self":
            self.at += 1
            return ("self",)
        if kind == "name":
            self.at += 1
            return self.function(value, position)
        found = "the end" if kind == "end" else repr(value)
        raise ExpressionError(f"expected a value, found {found}", position)

    def function(self, name: str, position: int) -> Node:
        self.take("op", "(")
        if name in {"true", "false"}:
            self.take("op", ")")
            return ("lit", name == "true")
        if name == "not":
            node: Node = ("not", self.disjunction())
        elif name == "selected":
            question = self.answer_ref()
            self.take("op", ",")
            node = ("selected", question, self.take("lit")[1])
        elif name == "count-selected":
            node = ("count", self.answer_ref())
        else:
            raise ExpressionError(f"unknown function {name}()", position)
        self.take("op", ")")
        return node

    def answer_ref(self) -> Node:
        kind, value, position = self.peek()
        if kind == "ref":
            self.at += 1
            return ("ref", value)
        if kind == "self":
            self.at += 1
            return ("self",)
        raise ExpressionError("expected a question such as ${code}", position)


@lru_cache(maxsize=4096)
def parse(text: str) -> Node:
    """Return the tree of an expression; raise ExpressionError when it does not parse."""
    if not text.strip():
        raise ExpressionError("the expression is empty", 0)
    return _Parser(text).whole()


def walk(node: Node) -> Iterator[Node]:
    """Yield the node and every node under it."""
    yield node
    for child in node[1:]:
        if isinstance(child, tuple):
            yield from walk(child)


def references(node: Node) -> set[str]:
    """Return the codes of the questions the expression reads."""
    return {child[1] for child in walk(node) if child[0] == "ref"}


def option_literals(node: Node) -> Iterator[tuple[str, str]]:
    """Yield (question code, option code) for every option the expression names."""
    for child in walk(node):
        if child[0] == "selected" and child[1][0] == "ref":
            yield child[1][1], str(child[2])
        elif child[0] == "cmp" and child[1] in {"=", "!="}:
            for ref, lit in ((child[2], child[3]), (child[3], child[2])):
                if ref[0] == "ref" and lit[0] == "lit" and isinstance(lit[1], str) and lit[1]:
                    yield ref[1], lit[1]


def _chosen(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(item) for item in value)  # ODK's select_multiple value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(_as_text(value))
    except ValueError:
        return math.nan  # XPath: an empty or non-numeric value compares false


def truthy(value: Any) -> bool:
    """Return an expression's value read as a condition, as XPath's boolean() does."""
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, list):
        return bool(value)
    return bool(value)


def _compare(op: str, left: Any, right: Any) -> bool:
    numeric = any(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right))
    if op in {"=", "!="}:
        if numeric:
            a, b = _as_number(left), _as_number(right)
            same = a == b
        else:
            same = _as_text(left) == _as_text(right)
        return same if op == "=" else not same
    a, b = _as_number(left), _as_number(right)
    if math.isnan(a) or math.isnan(b):
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def evaluate(node: Node, answers: Mapping[str, Any], itself: Any = None) -> Any:
    """Return the value of the tree, with unanswered questions as empty values."""
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "ref":
        return answers.get(node[1])
    if kind == "self":
        return itself
    if kind == "cmp":
        left, right = evaluate(node[2], answers, itself), evaluate(node[3], answers, itself)
        return _compare(node[1], left, right)
    if kind == "and":
        return truthy(evaluate(node[1], answers, itself)) and truthy(
            evaluate(node[2], answers, itself)
        )
    if kind == "or":
        return truthy(evaluate(node[1], answers, itself)) or truthy(
            evaluate(node[2], answers, itself)
        )
    if kind == "not":
        return not truthy(evaluate(node[1], answers, itself))
    if kind == "selected":
        return str(node[2]) in _chosen(evaluate(node[1], answers, itself))
    if kind == "count":
        return len(_chosen(evaluate(node[1], answers, itself)))
    raise ValueError(f"unknown node {kind!r}")


def holds(text: str, answers: Mapping[str, Any], itself: Any = None) -> bool:
    """Return whether a condition holds; an empty condition always does."""
    if not text.strip():
        return True
    return truthy(evaluate(parse(text), answers, itself))


def bind(node: Node, answers: Mapping[str, Any], keep: frozenset[str]) -> Node:
    """Return the tree with every question outside ``keep`` replaced by its known answer."""
    if node[0] == "ref" and node[1] not in keep:
        return ("lit", answers.get(node[1]))
    return tuple(
        bind(child, answers, keep) if isinstance(child, tuple) else child for child in node
    )
