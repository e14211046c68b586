"""Per-kind named inputs: flat names for Snakemake, grouped by kind for the report (no imports
beyond the standard library: rules/common.smk imports it while Snakemake parses the workflow).

Snakemake takes flat named inputs, so every per-kind file is named ``<kind>__<name>``
(:func:`per_kind_inputs`, called by ``report_inputs`` in rules/common.smk, where the patterns are
written); the report groups them back into ``{kind: {name: path}}`` (:func:`inputs_by_kind`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: between the kind and the file's name in a per-kind input's name (kinds hold no double "_")
KIND_SEP = "__"


def per_kind_inputs(patterns: Mapping[str, str], kinds: Iterable[str]) -> dict[str, str]:
    """``{"<kind>__<name>": path}`` for every kind and every ``{name: pattern}``; a pattern's
    ``{kind}`` is replaced by the kind (nothing else in it is touched)."""
    return {
        f"{kind}{KIND_SEP}{name}": pattern.replace("{kind}", kind)
        for kind in kinds
        for name, pattern in patterns.items()
    }


def inputs_by_kind(named_inputs: Any, kinds: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``{kind: {name: path}}`` in the order of ``kinds``, from named inputs (a dict or
    ``snakemake.input``: anything with ``items()``) named as :func:`per_kind_inputs` names them.

    Inputs that are not per-kind, or belong to another kind, are left out. Every kind must have
    the same names.
    """
    grouped: dict[str, dict[str, Any]] = {kind: {} for kind in kinds}
    for key, value in named_inputs.items():
        kind, sep, name = str(key).partition(KIND_SEP)
        if sep and kind in grouped:
            grouped[kind][name] = value
    expected = sorted(next(iter(grouped.values()), {}))
    for kind, files in grouped.items():
        if not files or sorted(files) != expected:
            raise ValueError(
                f"report inputs of kind {kind!r}: {sorted(files)}, expected {expected} "
                f"(named <kind>{KIND_SEP}<name>, the same names for every kind)"
            )
    return grouped
