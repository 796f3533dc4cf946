"""An index of a collection's examples, so a request is scored against a few instead of all.

`select` scores every example: fine for the tutorial's six, 50-800 ms for 10,000. The index
answers with the example `select` would choose over all of them, by scoring only those that can
win:

* by path step: examples whose path can pass Postman's comparisons at all are found by lookups
  (exact/slash/case by the lower-cased path, "ids" by the path with ids replaced, wildcards and
  document distance by segment count, each segment's similar values found with rapidfuzz), and a
  lower step is only looked at if its best possible total can still reach the best one found;
* by equivalence: examples that differ only in which value a query key has (10,000 pages of
  `?page=N`, `/user/N/...`) are one group, and only the group's best query match (the earliest
  among equals) takes part; the others can at most tie it, and lose the tie by document order.

The rules themselves stay in `matching.select`, which scores the candidates found here.

```python
index = ExampleIndex(targets)
outcome = index.select(MockRequest.build("GET", "/users/formatted?page=3"), Options())
```
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .matching import (
    Options,
    Outcome,
    Target,
    _bare_id,
    _ids,
    _similar,
    _strip,
    path_segments,
    select,
)
from .messages import MockRequest

__all__ = ["ExampleIndex"]

# The best a path step can score, plus the best query (+10) and body (+5) scores.
_BEST_BONUS = 15.0


def _shape(target: Target, form: Any) -> tuple[Any, ...]:
    """What two examples must share to be interchangeable except for their query values.

    Conservative: examples with equal shapes behave the same; unequal shapes may too.
    """
    keys = tuple(sorted(target.query_values))
    body = target.body
    # a parsed JSON body is not hashable: its repr stands in (equal reprs, equal bodies)
    body_key = (body.mode, body.text, body.pairs, None if body.value is None else repr(body.value))
    return (form, target.code, tuple(target.headers.items()), body_key, keys)


def _simple(target: Target) -> bool:
    """One literal value per query key (no repeats, nothing like a `{{wildcard}}`)."""
    return all(len(v) == 1 and "{{" not in v[0] for v in target.query_values.values())


class _Group:
    """Examples with one shape; `best` picks the one that matches the request's query best."""

    __slots__ = ("by_index", "members", "postings", "simple")

    def __init__(self, members: list[Target]) -> None:
        self.members = members
        self.by_index = {t.index: t for t in members}
        self.simple = all(_simple(t) for t in members)
        self.postings: dict[tuple[str, str], list[Target]] = {}
        if self.simple:
            for target in members:
                for key, values in target.query_values.items():
                    self.postings.setdefault((key, values[0]), []).append(target)

    def best(
        self, pairs: frozenset[tuple[str, str]], options: Options, allowed: set[int] | None
    ) -> list[Target]:
        members = self.members
        if allowed is not None:
            if len(allowed) < len(members):
                members = [self.by_index[i] for i in sorted(allowed & self.by_index.keys())]
            else:
                members = [t for t in members if t.index in allowed]
        if not members:
            return []
        if not self.simple:
            return members
        if not options.match_query:
            return members[:1]  # equal scores: the first in document order
        # The query score only grows with the number of keys whose value matches.
        hits: dict[int, int] = {}
        by_index: dict[int, Target] = {}
        for pair in pairs:
            for target in self.postings.get(pair, ()):
                if allowed is None or target.index in allowed:
                    hits[target.index] = hits.get(target.index, 0) + 1
                    by_index[target.index] = target
        if not hits:
            return members[:1]
        top = max(hits.values())
        return [by_index[min(i for i, n in hits.items() if n == top)]]


def _groups(targets: Iterable[Target], form: Any) -> list[_Group]:
    grouped: dict[tuple[Any, ...], list[Target]] = {}
    for target in targets:
        grouped.setdefault(_shape(target, form(target)), []).append(target)
    return [_Group(members) for members in grouped.values()]


class _Bucket:
    """The examples under one lookup key, grouped by shape."""

    __slots__ = ("groups", "targets")

    def __init__(self, targets: list[Target], form: Any) -> None:
        self.targets = targets
        self.groups = _groups(targets, form)

    def candidates(
        self, pairs: frozenset[tuple[str, str]], options: Options, allowed: set[int] | None = None
    ) -> list[Target]:
        found: list[Target] = []
        for group in self.groups:
            found += group.best(pairs, options, allowed)
        return found


class _Fuzzy:
    """Examples with one segment count: per position, which examples hold which value."""

    def __init__(self, targets: list[Target]) -> None:
        self.bucket = _Bucket(targets, lambda t: t.path.wildcards)
        length = len(targets[0].path.segments)
        self.values: list[dict[str, set[int]]] = [{} for _ in range(length)]
        self.wild: list[set[int]] = [set() for _ in range(length)]
        for target in targets:
            for position, (segment, name) in enumerate(
                zip(target.path.segments, target.path.wildcards, strict=True)
            ):
                if name is not None:
                    self.wild[position].add(target.index)
                self.values[position].setdefault(segment, set()).add(target.index)
        self.choices = [list(values) for values in self.values]

    def passing(self, segments: tuple[str, ...], wildcards: bool) -> set[int]:
        """The examples whose path passes the document-distance step (a superset check first)."""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        passing: set[int] | None = None
        for position, got in enumerate(segments):
            allowed = set(self.wild[position]) if wildcards else set()
            values = self.values[position]
            if got in values:
                allowed |= values[got]
            # rapidfuzz finds the near values fast (a lower cutoff: a superset of _similar's)
            for value, _, _ in process.extract(
                got,
                self.choices[position],
                scorer=Levenshtein.normalized_similarity,
                score_cutoff=0.74,
                limit=None,
            ):
                if value != got and _similar(got, value):
                    allowed |= values[value]
            passing = allowed if passing is None else passing & allowed
            if not passing:
                return set()
        return passing or set()


class ExampleIndex:
    """Lookups over compiled examples; `select` gives what `matching.select` gives over all."""

    def __init__(self, targets: Sequence[Target]) -> None:
        import rapidfuzz.process  # noqa: F401 - loaded now, not on the first fuzzy request

        self.targets = list(targets)
        by_path: dict[tuple[Any, ...], list[Target]] = {}
        by_ids: dict[tuple[Any, ...], list[Target]] = {}
        wild: dict[tuple[Any, ...], list[Target]] = {}
        fuzzy: dict[tuple[Any, ...], list[Target]] = {}
        self.by_bare_id: dict[str, list[Target]] = {}
        self.by_name: dict[str, list[Target]] = {}
        for target in self.targets:
            path = target.path
            by_path.setdefault((target.method, path.lower_stripped), []).append(target)
            by_ids.setdefault((target.method, path.ids_stripped), []).append(target)
            if any(path.wildcards):
                for length in {len(path.segments), len(path.stripped)}:
                    wild.setdefault((target.method, length), []).append(target)
            fuzzy.setdefault((target.method, len(path.segments)), []).append(target)
            if target.id is not None:
                self.by_bare_id.setdefault(_bare_id(target.id), []).append(target)
            self.by_name.setdefault(target.name, []).append(target)
        self.by_path = {k: _Bucket(v, lambda t: t.path.segments) for k, v in by_path.items()}
        self.by_ids = {k: _Bucket(v, lambda t: t.path.ids) for k, v in by_ids.items()}
        self.wild = {k: _Bucket(v, lambda t: t.path.segments) for k, v in wild.items()}
        self.fuzzy = {k: _Fuzzy(v) for k, v in fuzzy.items()}

    def select(self, request: MockRequest, options: Options) -> Outcome:
        """The example `matching.select(request, all examples, options)` would choose."""
        if options.sort_ties_by_id:  # ties by id: the equivalence groups do not hold
            return select(request, self.targets, options)
        wanted_id = request.header("x-mock-response-id")
        if wanted_id is not None:
            return select(request, self.by_bare_id.get(_bare_id(wanted_id), []), options)
        wanted_name = request.header("x-mock-response-name")
        if wanted_name is not None:
            return select(request, self.by_name.get(wanted_name, []), options)

        method = request.method.upper()
        segments = path_segments(request.path)
        stripped = _strip(segments)
        pairs = frozenset(request.query)

        def exact() -> list[Target]:
            bucket = self.by_path.get((method, tuple(s.lower() for s in stripped)))
            return bucket.candidates(pairs, options) if bucket else []

        def wildcard() -> list[Target]:
            if not options.match_wildcards:
                return []
            found: list[Target] = []
            for length in {len(segments), len(stripped)}:
                bucket = self.wild.get((method, length))
                if bucket:
                    found += bucket.candidates(pairs, options)
            return found

        def ids() -> list[Target]:
            bucket = self.by_ids.get((method, _ids(stripped)))
            return bucket.candidates(pairs, options) if bucket else []

        def distance() -> list[Target]:
            fuzzy = self.fuzzy.get((method, len(segments))) if options.fuzzy else None
            if fuzzy is None:
                return []
            passing = fuzzy.passing(segments, options.match_wildcards)
            return fuzzy.bucket.candidates(pairs, options, passing) if passing else []

        candidates: dict[int, Target] = {}
        outcome: Outcome | None = None
        # path steps by their best score: 0 (exact..case), -20 (wildcard), -21 (ids), -30
        for best_path, tier in ((0.0, exact), (-20.0, wildcard), (-21.0, ids), (-30.0, distance)):
            if outcome is not None and outcome.winner is not None:
                if 100.0 + best_path + _BEST_BONUS < outcome.winner.total:
                    break  # nothing further down can reach the winner, not even tie with it
            found = tier()
            if not found:
                continue
            for target in found:
                candidates.setdefault(target.index, target)
            ordered = [candidates[i] for i in sorted(candidates)]
            outcome = select(request, ordered, options)
        return outcome if outcome is not None else select(request, [], options)
