"""Reading knowledge files: YAML item lists and CSV tables, with the place of every row."""

from __future__ import annotations

import csv
import io
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from immunocare.errors import KnowledgeBaseError

__all__ = ["RawItem", "read_csv", "read_yaml", "read_yaml_items"]

RawItem = tuple[str, dict[str, Any]]
"""A raw item and where it was read (``warning_signs/jmf.yaml#3``)."""


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml parses ten times faster


def read_yaml(file: Traversable) -> Any:
    """A YAML document (safe tags only), or a :class:`KnowledgeBaseError` naming the file."""
    try:
        return yaml.load(file.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{file.name}: not valid YAML: {exc}") from exc


def read_yaml_items(folder: Traversable) -> list[RawItem]:
    """The ``items`` lists of every ``*.yaml`` file in a folder, in file-name order."""
    items: list[RawItem] = []
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    for file in files:
        document = read_yaml(file)
        if not isinstance(document, dict) or not isinstance(document.get("items"), list):
            raise KnowledgeBaseError(f"{folder.name}/{file.name}: expected a mapping with an 'items' list")
        for index, item in enumerate(document["items"]):
            if not isinstance(item, dict):
                raise KnowledgeBaseError(f"{folder.name}/{file.name}#{index}: an item must be a mapping")
            items.append((f"{folder.name}/{file.name}#{index}", item))
    return items


def read_csv(file: Traversable) -> list[dict[str, str]]:
    """The rows of a CSV (or, by its ``.tsv`` name, TSV) file as dicts; empty cells become ``''``."""
    delimiter = "\t" if file.name.endswith(".tsv") else ","
    text = file.read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
