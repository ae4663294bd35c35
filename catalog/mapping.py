"""The column mapping: where each catalog field comes from when the file's headers differ.

A mapping is an object from field names to sources:

* ``"Course title"`` — a column of the file;
* ``{"column": "Learning Product", "values": {"Specialization": "certificate"}}`` — a column whose
  values are translated (values not listed pass through);
* ``{"template": "https://www.coursera.org/search?query={Title}"}`` — text built from columns;
  in `url` the inserted values are percent-encoded, and a built url is marked as derived;
* ``{"value": "en"}`` — the same value for every row.

Fields without a mapping come from the column of the same name, if the file has one.
"""

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote_plus

from catalog.exceptions import InvalidMapping
from catalog.fields import FIELDS


@dataclass(frozen=True)
class FieldSource:
    column: str | None = None
    template: str | None = None
    value: str | None = None
    values: dict[str, str] = field(default_factory=dict)

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
        keys = set(spec)
        if keys == {"value"} and isinstance(spec["value"], str):
            return FieldSource(value=spec["value"])
        if keys == {"template"} and isinstance(spec["template"], str):
            return FieldSource(template=spec["template"])
        values = spec.get("values", {})
        if keys <= {"column", "values"} and isinstance(spec.get("column"), str) and _text_map(values):
            return FieldSource(column=spec["column"], values=dict(values))
    raise InvalidMapping(
        f'The mapping of {name!r} must be a column name, or an object with a "column" (and "values"), '
        'a "template" or a "value".'
    )


def _text_map(values: object) -> bool:
    return isinstance(values, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in values.items())
