"""YAML loading that remembers line numbers, so course errors can point at file:line."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..errors import CourseError


class LinedDict(dict):
    """A mapping from YAML that knows the line it started on, and the line of each of its keys."""

    line: int = 0
    key_lines: dict = {}


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node):
    mapping = LinedDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {getattr(k, "value", None): k.start_mark.line + 1 for k, _v in node.value}
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load(path: Path):
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CourseError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CourseError(f"{where}: invalid YAML: {problem}") from None


def where(path: Path, node) -> str:
    line = getattr(node, "line", 0)
    return f"{path}:{line}" if line else str(path)


def key_where(path: Path, node, key) -> str:
    """file:line of ``key`` in the mapping ``node`` (the mapping's own line if unknown)."""
    line = getattr(node, "key_lines", {}).get(key) or getattr(node, "line", 0)
    return f"{path}:{line}" if line else str(path)


def item_where(path: Path, item) -> str:
    """file:line of ``- item`` in a YAML list (scalars in a list carry no line of their own)."""
    pattern = re.compile(rf"^\s*-\s*['\"]?{re.escape(str(item))}['\"]?\s*(#.*)?$")
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return str(path)
    line = next((n for n, text in enumerate(lines, 1) if pattern.match(text)), 0)
    return f"{path}:{line}" if line else str(path)
