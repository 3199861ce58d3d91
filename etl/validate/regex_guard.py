r"""Refuse suite regexes that can backtrack catastrophically, before a run evaluates them.

GX evaluates ``expect_column_values_to_match_regex`` and its siblings with Python's ``re`` over
every value (pandas ``str.contains``), and ``re`` has no time limit: ``(a+)+$`` against a value of
30 ``a`` and one ``!`` tries about 2^30 ways to split the ``a``, so one long value holds a
validation worker for hours. Such patterns are refused when the suite is loaded, naming the
expectation, so a run ends at once with one clear line instead.

What is refused (the shapes that make backtracking exponential in the value's length, or a high
power of it):

* a quantifier of variable length inside an unbounded one: ``(a+)+``, ``(\w+\s?)*``,
  ``([a-z]+\.)+``;
* an unbounded quantifier inside any repeated group: ``(.*,){20}``;
* alternatives that can start with the same character inside an unbounded quantifier:
  ``(a|ab)+``, ``(\d|\d\d)*``, or an alternative that can match nothing.

A possessive quantifier (``a++``) or an atomic group (``(?>...)``), both in Python 3.11's ``re``,
never backtracks into what it matched, so nothing inside one counts; the message suggests them.
Polynomial patterns such as ``\d*\d*x`` are not refused: on values of ordinary length they are
fast.

The pattern is read with the standard library's own regex parser (``re._parser``, private but
the parser ``re.compile`` itself uses), so the structure judged is the one ``re`` executes.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from typing import Any

_sre: Any = importlib.import_module("re._parser")

_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT)
_UNBOUNDED = _sre.MAXREPEAT
#: Code points above ASCII are taken to be in every category (\w, \s, \d may match them).
_ASCII_END = 0x80
_CATEGORY_RANGES: dict[Any, tuple[tuple[int, int], ...]] = {
    _sre.CATEGORY_DIGIT: ((0x30, 0x39), (_ASCII_END, 0x10FFFF)),
    _sre.CATEGORY_WORD: (
        (0x30, 0x39),
        (0x41, 0x5A),
        (0x5F, 0x5F),
        (0x61, 0x7A),
        (_ASCII_END, 0x10FFFF),
    ),
    _sre.CATEGORY_SPACE: ((0x09, 0x0D), (0x20, 0x20), (_ASCII_END, 0x10FFFF)),
}
_EVERYTHING = ((0, 0x10FFFF),)

#: Expectation kwargs that hold a regex, or a list of them.
REGEX_KWARGS = ("regex", "regex_list")
_ADVICE = "; make the inner quantifier possessive (a++) or the group atomic ((?>...))"


def regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` is refused (invalid, or it can backtrack catastrophically), or None."""
    try:
        parsed = _sre.parse(pattern)
    except re.error as exc:
        return f"not a valid regular expression ({exc.msg} at position {exc.pos})"
    except RecursionError:  # re's parser recurses per group; a pattern this deep is hostile
        return "not a valid regular expression (groups nested too deeply)"
    return _walk(parsed, None)


def kwargs_problem(kwargs: dict[str, Any]) -> str | None:
    """The first refused regex among an expectation's ``regex``/``regex_list`` kwargs."""
    for key in REGEX_KWARGS:
        value = kwargs.get(key)
        patterns = [value] if isinstance(value, str) else value
        if not isinstance(patterns, list):
            continue
        for index, pattern in enumerate(patterns):
            if not isinstance(pattern, str):
                continue
            problem = regex_problem(pattern)
            if problem:
                where = key if isinstance(value, str) else f"{key}[{index}]"
                return f"kwargs.{where}: {problem}"
    return None


def _walk(items: Iterable[tuple[Any, Any]], outer: tuple[int, int] | None) -> str | None:
    """Walk parsed items; ``outer`` is the (min, max) of the nearest enclosing repeat."""
    for op, av in items:
        found = _item(op, av, outer)
        if found:
            return found
    return None


def _item(op: Any, av: Any, outer: tuple[int, int] | None) -> str | None:
    if op in _REPEATS:
        return _repeat(av, outer)
    if op in (_sre.POSSESSIVE_REPEAT, _sre.ATOMIC_GROUP):
        return None  # never backtracks into what it matched
    if op is _sre.SUBPATTERN:
        return _walk(av[-1], outer)
    if op is _sre.BRANCH:
        return _branch(av[1], outer)
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return _walk(av[1], outer)
    if op is _sre.GROUPREF_EXISTS:
        return _walk_each(av[1:], outer)
    return None


def _repeat(av: Any, outer: tuple[int, int] | None) -> str | None:
    """A repeat nested in a repeat is refused when both can vary without bound."""
    low, high, body = av
    if high > 1 and outer is not None:
        inner_variable = high == _UNBOUNDED or low != high
        if (outer[1] == _UNBOUNDED and inner_variable) or high == _UNBOUNDED:
            return "a quantifier inside a repeated group can backtrack catastrophically" + _ADVICE
    return _walk(body, (low, high) if high > 1 else outer)


def _branch(branches: list[Any], outer: tuple[int, int] | None) -> str | None:
    """Alternatives under an unbounded repeat must not start alike; then each is walked."""
    if outer is not None and outer[1] == _UNBOUNDED and _ambiguous(branches):
        return (
            "alternatives that can start alike inside a repeated group can backtrack"
            " catastrophically; make them start with different characters or make the group"
            " atomic ((?>...))"
        )
    return _walk_each(branches, outer)


def _walk_each(patterns: Iterable[Any], outer: tuple[int, int] | None) -> str | None:
    """The first problem in any of the sub-patterns (None entries: an absent branch)."""
    for pattern in patterns:
        if pattern is not None:
            found = _walk(pattern, outer)
            if found:
                return found
    return None


def _ambiguous(branches: list[Any]) -> bool:
    """Whether two alternatives can start with the same character (or one can match nothing)."""
    firsts = []
    for branch in branches:
        if branch.getwidth()[0] == 0:
            return True
        firsts.append(_first(branch))
    for i, left in enumerate(firsts):
        for right in firsts[i + 1 :]:
            if _overlap(left, right):
                return True
    return False


def _first(branch: Any) -> tuple[tuple[int, int], ...]:
    """Code-point ranges an alternative's first character may fall in (a superset)."""
    for op, av in branch:
        if op is _sre.AT:
            continue  # anchors consume nothing
        if op is _sre.LITERAL:
            return ((av, av),)
        if op is _sre.IN:
            return _set_ranges(av)
        if op is _sre.SUBPATTERN and av[-1].getwidth()[0] > 0:
            return _first(av[-1])
        if op in _REPEATS and av[0] > 0:
            return _first(av[2])
        return _EVERYTHING
    return _EVERYTHING


def _set_ranges(items: list[tuple[Any, Any]]) -> tuple[tuple[int, int], ...]:
    ranges: list[tuple[int, int]] = []
    for op, av in items:
        if op is _sre.NEGATE:
            return _EVERYTHING
        if op is _sre.LITERAL:
            ranges.append((av, av))
        elif op is _sre.RANGE:
            ranges.append((av[0], av[1]))
        elif op is _sre.CATEGORY and av in _CATEGORY_RANGES:
            ranges.extend(_CATEGORY_RANGES[av])
        else:
            return _EVERYTHING
    return tuple(ranges)


def _overlap(left: tuple[tuple[int, int], ...], right: tuple[tuple[int, int], ...]) -> bool:
    return any(a <= d and c <= b for a, b in left for c, d in right)
