"""What goes online: the Hugging Face hub only for a model download the config asks for, and no
telemetry.

The Snakefile calls :func:`set_hub_environment` before any job, so that a plain ``snakemake``
or a SLURM job behaves like ``make`` (each variable only where the user has not set it):

- ``HF_HUB_DISABLE_TELEMETRY=1`` always;
- ``HF_HUB_OFFLINE=1`` and ``TRANSFORMERS_OFFLINE=1`` unless the configured model
  (``bert.model`` at ``bert.revision``) is a hub model not yet on this machine: an installed
  package's copy, a model folder or the hub cache's snapshot needs no network. Only a hub
  model missing here is downloaded (the user asked for it by naming it).

The command-line tool follows the same rule for the run's model (:func:`set_environment`, with
:func:`sentclust.assign.encoder.needs_hub`). OpenVINO's own telemetry is switched off where
OpenVINO is imported: :func:`sentclust.bert.openvino.opt_out_of_openvino_telemetry`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, MutableMapping

from sentclust.bert.models import ModelNotAvailableError, resolve_model

#: always set (unless set already): the hub library sends no usage telemetry
TELEMETRY_OFF = {"HF_HUB_DISABLE_TELEMETRY": "1"}
#: set (unless set already) when the model needs no download
HUB_OFF = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def hub_needed(bert: dict) -> bool:
    """Whether the configured model (the ``bert`` config section) must come from the hub: it is
    neither an installed package's copy, nor a model folder, nor in the hub cache (at
    ``revision``). Looks at local files only; True when it cannot tell (e.g. no
    ``huggingface_hub`` in Snakemake's own environment)."""
    try:
        resolve_model(
            bert["model"],
            models_dir=bert.get("models_dir"),
            revision=bert.get("revision"),
            offline=True,
        )
    except (ModelNotAvailableError, ValueError, ImportError):
        return True
    return False


def environment(needs_hub: Callable[[], bool], environ: Mapping[str, str]) -> dict:
    """The variables to set: those of :data:`TELEMETRY_OFF` and, unless ``needs_hub()`` (asked
    only when the user has set none of :data:`HUB_OFF`), :data:`HUB_OFF`, less any the user has
    set in ``environ`` (an explicit setting wins)."""
    wanted = dict(TELEMETRY_OFF)
    if not any(k in environ for k in HUB_OFF) and not needs_hub():
        wanted.update(HUB_OFF)
    return {k: v for k, v in wanted.items() if k not in environ}


def set_environment(
    needs_hub: Callable[[], bool], environ: MutableMapping[str, str] | None = None
) -> dict:
    """Set :func:`environment`'s variables in ``environ`` (the process environment, which every
    job inherits), telemetry's first (``needs_hub`` may import the hub library, which reads
    them once); returns what was set."""
    environ = os.environ if environ is None else environ
    first = {k: v for k, v in TELEMETRY_OFF.items() if k not in environ}
    environ.update(first)
    changes = environment(needs_hub, environ)
    environ.update(changes)
    return {**first, **changes}


def hub_environment(config: dict, environ: Mapping[str, str] | None = None) -> dict:
    """The variables :func:`set_hub_environment` sets for ``config`` (:func:`environment`,
    with the hub needed when :func:`hub_needed` says so for the ``bert`` section)."""
    environ = os.environ if environ is None else environ
    return environment(lambda: hub_needed(config["bert"]), environ)


def set_hub_environment(config: dict, environ: MutableMapping[str, str] | None = None) -> dict:
    """Set :func:`hub_environment`'s variables in ``environ`` (:func:`set_environment`);
    returns what was set."""
    return set_environment(lambda: hub_needed(config["bert"]), environ)
