"""The column mapping: where each catalog field comes from when the file's headers differ.

A mapping is an object from field names to sources:

* ``"Course title"`` — a column of the file;
* ``{"column": "Learning Product", "values": {"Specialization": "certificate"}}`` — a column whose
  values are translated (values not listed pass through);
* ``{"template": "https://www.coursera.org/search?query={Title}"}`` — text built from columns;
  in `url` the inserted values are percent-encoded, and a built url is marked as derived;
* ``{"value": "en"}`` — the same value for every row;
* ``{"column": "price", "parse": "cost_cad"}`` or ``{"template": "{effort} | {length}", "parse":
  "duration_hours", "hours_per_week": 10}`` — a cost or a duration read from the text of a listing
  (``FREE-Add a Verified Certificate for $49 USD``, ``3–5 hours per week | 6 Weeks``, ``1 - 4 Weeks``)
  by `catalog.parsing`; ``hours_per_week`` is the pace assumed where the text gives a length only.
  Text it cannot read gives no value. ``"parse"`` names the field it fills.

Fields without a mapping come from the column of the same name, if the file has one.
"""

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote_plus

from catalog.exceptions import InvalidMapping
from catalog.fields import FIELDS
from catalog.parsing import MAX_HOURS_PER_WEEK, parse_cost_cad, parse_duration_hours

PARSED_FIELDS = ("cost_cad", "duration_hours")


@dataclass(frozen=True)
class FieldSource:
    column: str | None = None
    template: str | None = None
    value: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    parse: str | None = None  # one of PARSED_FIELDS
    hours_per_week: float | None = None  # with parse "duration_hours"

    @property
    def derived(self) -> bool:
        return self.template is not None

    def columns(self) -> list[str]:
        if self.column is not None:
            return [self.column]
        if self.template is not None:
            return [name for _, name, _, _ in string.Formatter().parse(self.template) if name]
        return []

    def extract(self, cells: Mapping[str, str], encode: bool) -> str | None:
        text = self._text(cells, encode)
        if self.parse is None or text is None:
            return text
        number = parse_cost_cad(text) if self.parse == "cost_cad" else parse_duration_hours(text, self.hours_per_week)
        return None if number is None else f"{number:.2f}".rstrip("0").rstrip(".")

    def _text(self, cells: Mapping[str, str], encode: bool) -> str | None:
        if self.value is not None:
            return self.value
        if self.template is not None:
            values = {name: cells.get(name, "").strip() for name in self.columns()}
            if not any(values.values()):
                return None
            return self.template.format(**{k: quote_plus(v) if encode else v for k, v in values.items()})
        assert self.column is not None
        text = cells.get(self.column)
        if text is None:
            return None
        return self.values.get(text.strip(), text)


def parse_mapping(text: str) -> dict[str, object]:
    """A mapping given as JSON text."""
    try:
        mapping = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidMapping(f"The mapping is not JSON: {error.msg} at character {error.pos + 1}.") from None
    if not isinstance(mapping, dict):
        raise InvalidMapping("The mapping must be a JSON object from field names to sources.")
    return mapping


def compile_mapping(mapping: Mapping[str, object] | None, columns: list[str]) -> dict[str, FieldSource]:
    """Each field's source, checked against the file's columns."""
    mapping = mapping or {}
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise InvalidMapping(
            f"The mapping names unknown field(s) {', '.join(unknown)}; the fields are {', '.join(FIELDS)}."
        )
    sources = {name: _source(name, mapping[name]) for name in mapping}
    for name in FIELDS:
        if name not in sources and name in columns:
            sources[name] = FieldSource(column=name)
    missing = sorted({column for source in sources.values() for column in source.columns()} - set(columns))
    if missing:
        raise InvalidMapping(
            f"The file has no column {', '.join(map(repr, missing))}; its columns are {', '.join(map(repr, columns))}."
        )
    return sources


def _source(name: str, spec: object) -> FieldSource:
    if isinstance(spec, str):
        return FieldSource(template=spec) if "{" in spec else FieldSource(column=spec)
    if isinstance(spec, dict):
        keys = set(spec) - {"parse", "hours_per_week"}
        parse, pace = _parsing(name, spec)
        if keys == {"value"} and isinstance(spec["value"], str) and "parse" not in spec:
            return FieldSource(value=spec["value"])
        if keys == {"template"} and isinstance(spec["template"], str):
            return FieldSource(template=spec["template"], parse=parse, hours_per_week=pace)
        values = spec.get("values", {})
        if keys <= {"column", "values"} and isinstance(spec.get("column"), str) and _text_map(values):
            return FieldSource(column=spec["column"], values=dict(values), parse=parse, hours_per_week=pace)
    raise InvalidMapping(
        f'The mapping of {name!r} must be a column name, or an object with a "column" (and "values"), '
        'a "template" or a "value".'
    )


def _parsing(name: str, spec: dict[str, object]) -> tuple[str | None, float | None]:
    """The parser a mapping entry names and the pace it assumes, checked: a parser fills its own field,
    and only a duration takes a pace."""
    parse = spec.get("parse")
    if parse is not None and name not in PARSED_FIELDS:
        raise InvalidMapping(
            f'The mapping of {name!r} cannot "parse": only {" and ".join(PARSED_FIELDS)} are read from the text '
            'of a listing ({"column": "price", "parse": "cost_cad"}).'
        )
    if parse is not None and parse != name:
        raise InvalidMapping(f'The mapping of {name!r} must name its own field: "parse": "{name}".')
    pace = spec.get("hours_per_week")
    if pace is not None:
        if parse != "duration_hours" or isinstance(pace, bool) or not isinstance(pace, int | float):
            raise InvalidMapping(
                f'The mapping of {name!r} may give "hours_per_week" (a number) only with "parse": "duration_hours".'
            )
        if not 0 < pace <= MAX_HOURS_PER_WEEK:
            raise InvalidMapping(f'"hours_per_week" must be more than 0 and at most {MAX_HOURS_PER_WEEK}.')
    return (name if parse is not None else None), (float(pace) if pace is not None else None)


def _text_map(values: object) -> bool:
    return isinstance(values, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in values.items())
