"""The set of rules of a run, with lookups and selection by id prefix or name."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from kubelint.rule import Rule

_ID_PREFIX_RE = re.compile(r"[A-Za-z]{2,10}[0-9]*")
RULE_ID_RE = re.compile(r"[A-Z]{2,10}[0-9]{1,6}")


def is_id_prefix(text: str) -> bool:
    """True if `text` has the shape of a rule id or id prefix: 2-10 letters (KL,
    ACME, user policy prefixes) optionally followed by digits (KL2, ACME00)."""
    return _ID_PREFIX_RE.fullmatch(text.strip()) is not None


class Registry:
    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules: dict[str, Rule] = {}
        self._by_name: dict[str, Rule] = {}
        for r in rules:
            if r.id in self._rules:
                raise ValueError(f"rule id {r.id} declared twice")
            if r.name in self._by_name:
                raise ValueError(f"rule name {r.name} declared twice")
            self._rules[r.id] = r
            self._by_name[r.name] = r

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: r.id))

    def __len__(self) -> int:
        return len(self._rules)

    def get(self, id_or_name: str) -> Rule | None:
        key = id_or_name.strip()
        return self._rules.get(key.upper()) or self._by_name.get(key.lower())

    def closest(self, text: str) -> str | None:
        t = text.strip()
        if t[:2].upper() == "KL":
            # look-alike characters in the number part: l/I for 1, O for 0
            tail = t[2:].translate(str.maketrans("lIiOo", "11100"))
            if ("KL" + tail) in self._rules:
                return "KL" + tail
            same_length = [rid for rid in self._rules if len(rid) == len(t)]
            if same_length:
                best = min(
                    same_length, key=lambda rid: sum(a != b for a, b in zip(rid, "KL" + tail, strict=True))
                )
                if sum(a != b for a, b in zip(best, "KL" + tail, strict=True)) <= 1:
                    return best
        candidates = list(self._rules) + list(self._by_name)
        match = difflib.get_close_matches(text, candidates, n=1, cutoff=0.5)
        if not match:
            match = difflib.get_close_matches(text.upper(), list(self._rules), n=1, cutoff=0.5)
        return match[0] if match else None

    def is_selector(self, text: str) -> bool:
        """True if `text` names a rule, is an id prefix of some rule, or is ALL."""
        t = text.strip()
        if t.upper() == "ALL" or self.get(t) is not None:
            return True
        return is_id_prefix(t) and any(rid.startswith(t.upper()) for rid in self._rules)

    def unknown_selector_message(self, text: str) -> str:
        hint = self.closest(text)
        suffix = f" (did you mean {hint}?)" if hint else ""
        return f"unknown rule {text!r}{suffix}"


@dataclass(frozen=True)
class Selection:
    """Which rules are on: ruff-like select/ignore with the most specific match winning."""

    select: Sequence[str] | None = None  # None: the default set
    extend_select: Sequence[str] = ()
    ignore: Sequence[str] = ()

    @staticmethod
    def _specificity(selector: str, r: Rule) -> int:
        s = selector.strip()
        if s.upper() == "ALL":
            return 0
        if s.lower() == r.name or s.upper() == r.id:
            return 1000
        if is_id_prefix(s) and r.id.startswith(s.upper()):
            return len(s)
        return -1

    def enabled(self, r: Rule) -> bool:
        best_on = -1
        for s in list(self.select or ()) + list(self.extend_select):
            best_on = max(best_on, self._specificity(s, r))
        best_off = max((self._specificity(s, r) for s in self.ignore), default=-1)
        if best_off >= 0 and best_off >= best_on:
            return False
        if best_on >= 0:
            # A bare "ALL"/prefix selects opt-in rules only through select, not
            # through the defaults.
            return True
        return self.select is None and r.default_enabled
