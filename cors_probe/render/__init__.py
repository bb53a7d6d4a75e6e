"""Report -> output. Each format is one function over a Report; nothing here sends or decides."""

from enum import StrEnum


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
