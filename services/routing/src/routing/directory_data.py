"""The agency directory as a YAML file: the demo directory shipped with routing, and the format of
``GET /v1/directory/export`` and ``PUT /v1/directory/import`` (a mapping with an ``agencies`` list, each entry in
the shape ``PUT /v1/directory`` accepts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

import yaml

DEMO_DIRECTORY = "demo_directory.yaml"
EXPORT_HEADER = (
    "# Sinergi agency directory, exported by routing. Edit and PUT it back to /v1/directory/import\n"
    "# (application/yaml): every entry is checked, and nothing is stored unless all of them are valid.\n"
)


class UnsafeYamlError(yaml.YAMLError):
    """A document that uses aliases."""


class _DirectoryLoader(yaml.SafeLoader):
    """``yaml.safe_load``'s loader (plain data, no Python objects), refusing aliases: a few bytes of anchors and
    aliases can stand for a document far too large to check ("billion laughs")."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise UnsafeYamlError("aliases are not allowed")
        return super().compose_node(parent, index)


def load_directory_yaml(text: str) -> Any:
    """The data of a directory file: safe YAML, without aliases. Raises ``yaml.YAMLError`` (``UnsafeYamlError``
    for aliases) or ``RecursionError`` (nesting too deep)."""
    return yaml.load(text, Loader=_DirectoryLoader)  # noqa: S506 - a SafeLoader


class _DirectoryDumper(yaml.SafeDumper):
    """``yaml.safe_dump``'s dumper, writing a list of plain values on one line (``services: [pengaduan,
    mediasi]``), as the demo directory does."""

    def represent_list(self, data: Iterable[Any]) -> yaml.SequenceNode:
        node = super().represent_list(data)
        node.flow_style = all(isinstance(child, yaml.ScalarNode) for child in node.value)
        return node


_DirectoryDumper.add_representer(list, _DirectoryDumper.represent_list)


def dump_directory_yaml(entries: Sequence[dict[str, Any]]) -> str:
    """The directory file of ``entries`` (JSON-ready dicts), which ``load_directory_yaml`` reads back."""
    body = yaml.dump({"agencies": list(entries)}, Dumper=_DirectoryDumper, sort_keys=False, allow_unicode=True,
                     width=120)
    return EXPORT_HEADER + body


def demo_directory() -> list[dict[str, Any]]:
    """The demo agencies as JSON-ready dicts: PUT ``{"agencies": demo_directory()}`` to load them."""
    text = resources.files("routing").joinpath("data", DEMO_DIRECTORY).read_text(encoding="utf-8")
    document = load_directory_yaml(text)
    if not isinstance(document, dict) or not isinstance(document.get("agencies"), list):
        raise TypeError(f"{DEMO_DIRECTORY} must be a mapping with an 'agencies' list")
    agencies: list[dict[str, Any]] = document["agencies"]
    return agencies


def by_province(entries: Iterable[dict[str, Any]]) -> dict[str | None, list[dict[str, Any]]]:
    """Directory entries by the province whose admin writes them; None: the national ones (the national
    admin's). An admin writes only their own province's agencies."""
    grouped: dict[str | None, list[dict[str, Any]]] = {}
    for entry in entries:
        grouped.setdefault(entry.get("province_code"), []).append(entry)
    return grouped
