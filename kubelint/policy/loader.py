"""Reading policy files: YAML with positions, checked against schemas/policy.schema.json,
then compiled (paths, regexes, templates, JSON Schemas, CEL).

Every problem is a PolicyError naming the file, line and column; loading goes on
past a broken policy so that all problems are reported at once.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from kubelint.model import Severity
from kubelint.policy.cel_support import CelError, compile_expression
from kubelint.policy.model import (
    COMPARISONS,
    CelValidation,
    CrossResource,
    Example,
    Match,
    PathCheck,
    Policy,
    Selection,
)
from kubelint.policy.paths import PathSyntaxError, parse_path
from kubelint.policy.templates import TemplateError, check_template
from kubelint.positions import Path, PositionMap, Span
from kubelint.quantity import parse_quantity
from kubelint.selectors import SelectorError, parse_label_selector

FORMS = ("assert", "schema", "cel", "crossResource")
POLICY_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class PolicyError:
    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class _Invalid(Exception):
    def __init__(self, path: Path, message: str, *, key: bool = False) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.key = key


@cache
def policy_schema() -> dict[str, Any]:
    """The JSON Schema of the policy format (shipped as schemas/policy.schema.json)."""
    from importlib import resources

    text = resources.files("kubelint.schemas").joinpath("policy.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(policy_schema())


@dataclass
class LoadedPolicies:
    policies: list[Policy]
    errors: list[PolicyError]
    files: list[str]


def policy_files(paths: Iterable[str], cwd: str) -> tuple[list[tuple[str, str]], list[PolicyError]]:
    """(absolute, display) of every policy file under `paths` (directories are walked
    for *.yaml and *.yml, in sorted order), and errors for paths that do not exist."""
    files: list[tuple[str, str]] = []
    errors: list[PolicyError] = []
    for given in paths:
        absolute = os.path.normpath(os.path.join(cwd, given))
        if os.path.isdir(absolute):
            for root, dirs, names in os.walk(absolute):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.endswith(POLICY_SUFFIXES) and not name.startswith("."):
                        full = os.path.join(root, name)
                        files.append((full, _display(full, cwd)))
        elif os.path.isfile(absolute):
            files.append((absolute, _display(absolute, cwd)))
        else:
            errors.append(PolicyError(given, 0, 0, "policy file or directory not found"))
    seen: set[str] = set()
    unique = [f for f in files if not (f[0] in seen or seen.add(f[0]))]  # type: ignore[func-returns-value]
    return unique, errors


def _display(absolute: str, cwd: str) -> str:
    relative = os.path.relpath(absolute, cwd)
    return (absolute if relative.startswith("..") else relative).replace(os.sep, "/")


def load_policies(paths: Sequence[str], cwd: str, *, builtin: bool = False) -> LoadedPolicies:
    """Load every policy under `paths` (files or directories)."""
    files, errors = policy_files(paths, cwd)
    policies: list[Policy] = []
    # The built-in catalogue is checked against the policy schema by the tests, not
    # on every start (the jsonschema package alone takes 70 ms to import).
    validator = None if builtin or not files else _validator()
    for absolute, display in files:
        try:
            with open(absolute, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            errors.append(PolicyError(display, 0, 0, f"cannot read: {error}"))
            continue
        found, problems = load_policy_text(text, display, builtin=builtin, validator=validator)
        policies.extend(found)
        errors.extend(problems)
    errors.extend(_duplicates(policies))
    return LoadedPolicies(policies, errors, [d for _, d in files])


def _duplicates(policies: Sequence[Policy]) -> Iterator[PolicyError]:
    seen_ids: dict[str, Policy] = {}
    seen_names: dict[str, Policy] = {}
    for p in policies:
        for key, seen in ((p.id, seen_ids), (p.name, seen_names)):
            first = seen.get(key)
            if first is not None:
                yield PolicyError(
                    p.file, p.line, 1, f"policy {key} is declared twice (first at {first.file}:{first.line})"
                )
            else:
                seen[key] = p


def load_policy_text(
    text: str, display: str, *, builtin: bool = False, validator: Any = None
) -> tuple[list[Policy], list[PolicyError]]:
    """Policies of one file's text: one per YAML document, or a `policies:` list."""
    from kubelint.loader import load_stream

    if validator is None and not builtin:
        validator = _validator()
    loaded = load_stream(text)
    errors: list[PolicyError] = []
    problems = loaded.problems + [p for d in loaded.documents for p in d.problems]
    for problem in problems:
        errors.append(
            PolicyError(display, problem.span.line, problem.span.column, f"YAML: {problem.message}")
        )
    if problems:
        return [], errors
    policies: list[Policy] = []
    for document in loaded.documents:
        data = document.data
        if data is None:
            continue
        entries: list[tuple[Path, Any]]
        if isinstance(data, dict) and set(data) == {"policies"}:
            items = data["policies"]
            if not isinstance(items, list):
                span = document.positions.span(("policies",))
                errors.append(PolicyError(display, span.line, span.column, "policies: expected a list"))
                continue
            entries = [(("policies", i), item) for i, item in enumerate(items)]
        else:
            entries = [((), data)]
        for base, item in entries:
            try:
                policies.append(parse_policy(item, document.positions, base, display, builtin, validator))
            except _Invalid as invalid:
                span = document.positions.span(base + invalid.path, key=invalid.key)
                errors.append(PolicyError(display, span.line, span.column, invalid.message))
    return policies, errors


def _schema_problem(error: Any) -> _Invalid:
    from jsonschema.exceptions import best_match

    path = tuple(error.absolute_path)
    where = _where(path)
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        unexpected = re.findall(r"'([^']+)' (?:was|were) unexpected", error.message)
        names = unexpected or re.findall(r"'([^']+)'", error.message)
        allowed = sorted(error.schema.get("properties", {}))
        if error.validator == "unevaluatedProperties":  # match: and match.exclude:
            allowed = _selection_keys() if path and path[-1] == "match" else _selection_keys()[:-1]
        if names:
            import difflib

            close = difflib.get_close_matches(names[0], allowed, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            choices = f"; allowed: {', '.join(allowed)}" if allowed and not close else ""
            return _Invalid((*path, names[0]), f"{where}unknown key {names[0]!r}{hint}{choices}", key=True)
    if error.validator == "oneOf" and error.context:
        inner = best_match(error.context)
        return _Invalid(path, f"{where}{inner.message}")
    if error.validator == "pattern" and path and path[-1] == "id":
        return _Invalid(
            path, f"id {error.instance!r}: use 2-10 capital letters then 1-6 digits, e.g. ACME001"
        )
    if error.validator == "pattern" and path and path[-1] == "name":
        return _Invalid(path, f"name {error.instance!r}: use kebab-case, e.g. image-outside-corp-registry")
    return _Invalid(path, f"{where}{error.message}")


def _selection_keys() -> list[str]:
    return sorted(policy_schema()["$defs"]["selection"]["properties"]) + ["exclude"]


def _where(path: Path) -> str:
    from kubelint.policy.paths import format_path

    return f"{format_path(path)}: " if path else ""


def parse_policy(
    data: Any, positions: PositionMap, base: Path, file: str, builtin: bool, validator: Any
) -> Policy:
    if not isinstance(data, dict):
        raise _Invalid((), "a policy must be a mapping with id, name, description and a check")
    if validator is not None:
        errors = sorted(
            validator.iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.absolute_path))
        )
        if errors:
            raise _schema_problem(errors[0])
    forms = [f for f in FORMS if f in data]
    if len(forms) != 1:
        found = f" (found {' and '.join(forms)})" if forms else ""
        raise _Invalid(("id",), f"policy {data['id']}: needs exactly one of {', '.join(FORMS)}{found}")
    policy_id: str = data["id"]
    if policy_id.startswith("KL") and not builtin:
        raise _Invalid(("id",), f"id {policy_id}: the KL prefix is reserved for kubelint's own rules")
    for key in ("message", "remediation"):
        if key == "message" and key in data:
            _template(data[key], (key,))
    match = _parse_match(data.get("match") or {})
    checks: tuple[PathCheck, ...] = ()
    schema = None
    schema_validator = None
    cel: tuple[CelValidation, ...] = ()
    cross = None
    if "assert" in data:
        checks = tuple(_parse_check(item, ("assert", i)) for i, item in enumerate(data["assert"]))
    elif "schema" in data:
        schema, schema_validator = _parse_schema(data["schema"], checked=builtin)
    elif "cel" in data:
        cel = _parse_cel(data["cel"])
    else:
        cross = _parse_cross(data["crossResource"])
        if match.compose:
            raise _Invalid(("crossResource",), "crossResource policies check Kubernetes objects, not Compose")
    examples = data.get("examples") or {}
    span = positions.span(base)
    return Policy(
        id=policy_id,
        name=data["name"],
        description=data["description"].strip(),
        file=file,
        line=span.line,
        severity=Severity.parse(data.get("severity", "warning")),
        enabled=data.get("enabled", True),
        category=data.get("category", "policy"),
        rationale=(data.get("rationale") or "").strip() or None,
        remediation=(data.get("remediation") or "").strip() or None,
        message=data.get("message"),
        match=match,
        checks=checks,
        schema=schema,
        schema_validator=schema_validator,
        cel=cel,
        cross=cross,
        passing=_examples(examples.get("pass") or [], positions, (*base, "examples", "pass")),
        failing=_examples(examples.get("fail") or [], positions, (*base, "examples", "fail")),
        raw=data,
    )


def _examples(items: list[Any], positions: PositionMap, path: Path) -> tuple[Example, ...]:
    return tuple(Example(item, positions.span((*path, i)).line) for i, item in enumerate(items))


def _template(text: str, path: Path) -> None:
    try:
        check_template(text)
    except TemplateError as error:
        raise _Invalid(path, f"{_where(path)}{error}") from None


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def _parse_selection(raw: dict[str, Any], path: Path) -> Selection:
    labels = None
    if "labels" in raw:
        try:
            labels = parse_label_selector(raw["labels"])
        except SelectorError as error:
            raise _Invalid((*path, "labels"), f"{_where((*path, 'labels'))}{error}") from None
    return Selection(
        kinds=_strings(raw.get("kinds")),
        api_versions=_strings(raw.get("apiVersions")),
        namespaces=_strings(raw.get("namespaces")),
        names=_strings(raw.get("names")),
        labels=labels,
        services=_strings(raw.get("services")),
    )


def _parse_match(raw: dict[str, Any]) -> Match:
    include = _parse_selection(raw, ("match",))
    exclude = _parse_selection(raw["exclude"], ("match", "exclude")) if raw.get("exclude") else None
    compose = bool(raw.get("compose")) or bool(include.services)
    if compose and (include.kinds or include.api_versions or include.namespaces or include.labels):
        raise _Invalid(
            ("match",),
            "match: a Compose policy (compose: true or services:) cannot also match kinds, "
            "apiVersions, namespaces or labels; write two policies",
        )
    return Match(include, exclude, compose)


def _path(text: str, where: Path) -> Any:
    try:
        return parse_path(text)
    except PathSyntaxError as error:
        raise _Invalid(where, f"{_where(where)}{error}") from None


def _regex(text: str, where: Path) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as error:
        raise _Invalid(where, f"{_where(where)}invalid regular expression {text!r}: {error}") from None


def _parse_check(raw: dict[str, Any], where: Path) -> PathCheck:
    segments = _path(raw["path"], (*where, "path"))
    comparisons = []
    for op in COMPARISONS:
        if op in raw:
            operand = raw[op]
            if isinstance(operand, bool) or parse_quantity(operand) is None:
                raise _Invalid(
                    (*where, op),
                    f"{_where((*where, op))}{operand!r} is neither a number nor a quantity (like 2Gi or 500m)",
                )
            comparisons.append((op, operand))
    if "message" in raw:
        _template(raw["message"], (*where, "message"))
    if raw.get("exists") is False and len(set(raw) - {"path", "message"}) > 1:
        raise _Invalid(where, f"{_where(where)}exists: false cannot be combined with other operators")
    return PathCheck(
        path=raw["path"],
        segments=segments,
        exists=raw.get("exists"),
        equals=(raw["equals"],) if "equals" in raw else (),
        not_equals=(raw["notEquals"],) if "notEquals" in raw else (),
        one_of=tuple(raw["in"]) if "in" in raw else None,
        none_of=tuple(raw["notIn"]) if "notIn" in raw else None,
        regex=_regex(raw["regex"], (*where, "regex")) if "regex" in raw else None,
        not_regex=_regex(raw["notRegex"], (*where, "notRegex")) if "notRegex" in raw else None,
        comparisons=tuple(comparisons),
        message=raw.get("message"),
    )


def _parse_schema(raw: dict[str, Any], *, checked: bool = False) -> tuple[dict[str, Any], Any]:
    """The schema and its validator; `checked`: known to be valid (the built-in
    catalogue, which the tests check), so jsonschema is imported only if it is used."""
    if checked:
        return raw, _LazySchemaValidator(raw)
    import jsonschema
    from jsonschema.exceptions import SchemaError

    cls = jsonschema.validators.validator_for(raw, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(raw)
    except SchemaError as error:
        path = ("schema", *error.absolute_path)
        raise _Invalid(path, f"{_where(path)}not a valid JSON Schema: {error.message}") from None
    return raw, cls(raw)


class _LazySchemaValidator:
    """A jsonschema validator made on first use."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self._schema = schema
        self._validator: Any = None

    def iter_errors(self, data: Any) -> Any:
        if self._validator is None:
            import jsonschema

            cls = jsonschema.validators.validator_for(self._schema, default=jsonschema.Draft202012Validator)
            self._validator = cls(self._schema)
        return self._validator.iter_errors(data)


_ADMISSION_ONLY = ("oldSelf", "self", "params", "request", "namespaceObject", "variables", "authorizer")


def _compile(source: str, where: Path) -> Any:
    try:
        compiled = compile_expression(source)
    except CelError as error:
        raise _Invalid(where, f"{_where(where)}CEL: {error}") from None
    unavailable = [v for v in _ADMISSION_ONLY if v in compiled.variables]
    if unavailable:
        raise _Invalid(
            where,
            f"{_where(where)}CEL: {unavailable[0]!r} is not available in a policy "
            "(its variables are object and oldObject)",
        )
    return compiled


def _parse_cel(raw: Any) -> tuple[CelValidation, ...]:
    if isinstance(raw, str):
        return (CelValidation(raw, _compile(raw, ("cel",))),)
    out = []
    for i, item in enumerate(raw):
        where = ("cel", i)
        message_expression = item.get("messageExpression")
        if "message" in item:
            _template(item["message"], (*where, "message"))
        out.append(
            CelValidation(
                expression=item["expression"],
                program=_compile(item["expression"], (*where, "expression")),
                message=item.get("message"),
                message_expression=message_expression,
                message_program=_compile(message_expression, (*where, "messageExpression"))
                if message_expression
                else None,
            )
        )
    return tuple(out)


def _parse_cross(raw: dict[str, Any]) -> CrossResource:
    mode = next(iter(raw))
    spec = raw[mode]
    where: Path = ("crossResource", mode)
    if mode == "selectedBy":
        path_text = spec["selectorPath"]
        segments = _path(path_text, (*where, "selectorPath"))
    else:
        path_text = spec["path"]
        segments = _path(path_text, (*where, "path"))
    kind_path = _path(spec["kindPath"], (*where, "kindPath")) if spec.get("kindPath") else None
    return CrossResource(
        mode=mode,
        kind=spec["kind"],
        path=path_text,
        segments=segments,
        cluster_scoped=bool(spec.get("clusterScoped")),
        kind_path=kind_path,
    )


def error_span(error: PolicyError) -> Span:
    return Span.point(error.line, error.column)
