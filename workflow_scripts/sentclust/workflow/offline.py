"""What goes online: the Hugging Face hub only for a model download the config asks for, and no
telemetry.

The Snakefile calls :func:`set_hub_environment` before any job, so that a plain ``snakemake``
or a SLURM job behaves like ``make`` (each variable only where the user has not set it):

- ``HF_HUB_DISABLE_TELEMETRY=1`` always;
- ``HF_HUB_OFFLINE=1`` and ``TRANSFORMERS_OFFLINE=1`` unless the configured model
  (``bert.model`` at ``bert.revision``) is a hub model not yet on this machine: an installed
  package's copy, a model folder or the hub cache's snapshot needs no network. Only a hub
  model missing here is downloaded (the user asked for it by naming it).

OpenVINO's model conversion sends usage telemetry unless opted out (its consent file, written
by ``opt_in_out --opt_out``, is per user). :func:`opt_out_of_openvino_telemetry` opts this
process out before OpenVINO is imported: OpenVINO and NNCF then use their no-telemetry stubs.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import MutableMapping

#: always set (unless set already): the hub library sends no usage telemetry
TELEMETRY_OFF = {"HF_HUB_DISABLE_TELEMETRY": "1"}
#: set (unless set already) when the model needs no download
HUB_OFF = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def hub_needed(bert: dict) -> bool:
    """Whether the configured model (the ``bert`` config section) must come from the hub: it is
    neither an installed package's copy, nor a model folder, nor in the hub cache (at
    ``revision``). Looks at local files only; True when it cannot tell (e.g. no
    ``huggingface_hub`` in Snakemake's own environment)."""
    from sentclust.bert.models import ModelNotAvailableError, resolve_model

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


def hub_environment(config: dict, environ: MutableMapping[str, str] | None = None) -> dict:
    """The variables :func:`set_hub_environment` sets for ``config``: those of
    :data:`TELEMETRY_OFF` and, unless the model needs the hub, :data:`HUB_OFF`, less any the
    user has set in ``environ`` (an explicit setting wins)."""
    environ = os.environ if environ is None else environ
    wanted = dict(TELEMETRY_OFF)
    if not any(k in environ for k in HUB_OFF) and not hub_needed(config["bert"]):
        wanted.update(HUB_OFF)
    return {k: v for k, v in wanted.items() if k not in environ}


def set_hub_environment(config: dict, environ: MutableMapping[str, str] | None = None) -> dict:
    """Set :func:`hub_environment`'s variables in ``environ`` (the process environment, which
    every job inherits); returns what was set."""
    environ = os.environ if environ is None else environ
    changes = hub_environment(config, environ)
    environ.update(changes)
    return changes


def opt_out_of_openvino_telemetry() -> None:
    """Opt this process out of OpenVINO's (and NNCF's) usage telemetry; call before OpenVINO is
    imported (importing it already sends an event). Idempotent.

    ``openvino_telemetry`` is made unimportable for the process, so that OpenVINO's converter
    and NNCF fall back to their built-in stubs, which send nothing; a telemetry client that is
    already configured (OpenVINO imported earlier) is told it has no consent.
    """
    module = sys.modules.get("openvino_telemetry")
    if module is not None:
        # the configured singleton, if any (not configured yet: nothing has been sent)
        with contextlib.suppress(Exception):
            module.Telemetry().consent = False
    sys.modules["openvino_telemetry"] = None  # a later import raises ImportError
