"""Typed errors. Every user-facing failure is an ``EdgeOCRError`` so the CLI can print
one clear line (naming the file and the problem) and exit non-zero instead of a traceback."""

from __future__ import annotations


class EdgeOCRError(Exception):
    """Base class: the message is shown to the user as-is."""

    exit_code = 2


class InputError(EdgeOCRError):
    """A user-supplied file or value is missing, unreadable or malformed."""


class ModelError(InputError):
    """A model file is missing, truncated, or does not match what was asked for."""


class DataError(InputError):
    """A data set or label file is empty, malformed, or uses characters outside the dictionary."""
