"""Which path runs the transformer on a CPU: chosen by measurement on the machine at hand.

A path is a backend (PyTorch or OpenVINO) and a precision (float32, bf16, int8 where it
passed its downstream check, see :mod:`sentclust.bert.int8`). Which one is fastest depends on the
CPU, not on what the CPU claims: on an Intel Xeon with AVX512-BF16 and no AMX, OpenVINO bf16
ran at the speed of plain float32 and PyTorch float32 was 1.5x faster. So with
``bert.precision: auto`` (and ``bert.runtime.backend: auto``) every candidate path is timed
on the job's calibration reviews at the job's own thread count; the paths whose embeddings keep
a mean cosine similarity of at least :data:`MIN_MEAN_COSINE` to PyTorch float32 are kept, and
the fastest runs. PyTorch float32 is the reference and the fallback.

The measurement is taken once per machine and setting and cached (:func:`cached_choice`, in
:func:`sentclust.bert.pathcache.default_cache_dir`, shared by every run of the user) with the
CPU model, its flags, the core count, the thread count, the package versions, the model and the
encoding settings as its key: every shard of a run, and every run of a config on one machine,
encodes the same way (two fresh measurements can differ by noise where two paths are equally
fast). The timings and the choice go into each shard's JSON record and the report.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from sentclust.bert import machine
from sentclust.bert.encode import PRECISIONS, cosine_rows, encode
from sentclust.bert.openvino import openvino_available, resolve_backend
from sentclust.bert.pathcache import cache_key, cached_record, file_hash

#: a path is used by ``auto`` only where it stays this close to PyTorch float32
MIN_MEAN_COSINE = 0.99
#: paths this close to the fastest (relative time) count as equally fast (see choose_path)
FLOAT32_MARGIN = 0.05
CPU_PRECISIONS = ("float32", "bfloat16")
#: timed rounds of every path, interleaved; a path's time is its fastest (see measure_paths)
MEASURE_ROUNDS = 3
#: how a measurement is taken, part of its cache key: a cached choice of an earlier method
#: (2026-12: one timed pass after a two-review warm-up, which misjudged a 24% gap on a busy
#: machine) is measured again
MEASURE_METHOD = f"warm-up on all calibration reviews, best of {MEASURE_ROUNDS} interleaved rounds"


@dataclass(frozen=True)
class EncodePath:
    backend: str  # torch | openvino
    precision: str  # float32 | bfloat16 | int8

    def __str__(self) -> str:
        return f"{self.backend} {self.precision}"


#: PyTorch float32: what every other path is compared with, and the fallback
REFERENCE = EncodePath("torch", "float32")


@dataclass
class Measurement:
    """One path timed on the calibration reviews, and how close it stays to the reference."""

    path: EncodePath
    seconds: float | None = None
    reviews_per_second: float | None = None
    mean_cosine: float | None = None
    min_cosine: float | None = None
    error: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["path"] = str(self.path)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Measurement:
        backend, precision = d["path"].split()
        return cls(**{**d, "path": EncodePath(backend, precision)})


def candidate_paths(
    backend: str, precision: str, *, openvino: bool, int8: bool = False, bf16: bool = True
) -> list[EncodePath]:
    """The paths a CPU job may run, as the config allows them.

    ``backend`` and ``precision`` are the config's (``auto`` leaves the choice open);
    ``openvino``: whether the package imports; ``int8``: whether an int8 model passed its
    check and may be used; ``bf16``: whether the CPU has bf16 instructions. Without them
    OpenVINO's bf16 hint silently runs float32 (same speed, slightly different kernels): it is
    left out where ``auto`` decides, so that two runs cannot pick "bf16" and float32 by noise.
    """
    backends = ["torch", "openvino"] if backend == "auto" else [backend]
    if not openvino:
        backends = [b for b in backends if b != "openvino"]
    precisions = list(CPU_PRECISIONS) if precision == "auto" else [precision]
    paths = [
        EncodePath(b, p)
        for b in backends
        for p in precisions
        if p != "int8" and (bf16 or precision != "auto" or (b, p) != ("openvino", "bfloat16"))
    ]
    if int8 and "openvino" in backends and precision in ("auto", "int8"):
        paths.append(EncodePath("openvino", "int8"))
    return paths


def measured_paths(allowed: Sequence[EncodePath]) -> list[EncodePath]:
    """What to time: the reference first (it gives the cosines), then the allowed paths."""
    return [REFERENCE] + [p for p in allowed if p != REFERENCE]


def fallback_path(allowed: Sequence[EncodePath]) -> EncodePath:
    """PyTorch float32, or float32 on the one backend the config allows."""
    if not allowed or REFERENCE in allowed:
        return REFERENCE
    return EncodePath(allowed[0].backend, "float32")


def choose_path(
    measurements: Sequence[Measurement],
    allowed: Sequence[EncodePath],
    *,
    floor: float = MIN_MEAN_COSINE,
    margin: float = FLOAT32_MARGIN,
) -> tuple[EncodePath, str]:
    """The fastest allowed path whose mean cosine to the reference meets ``floor``, and why;
    float32 (:func:`fallback_path`) when none does.

    Paths within ``margin`` of the fastest count as equally fast, and the choice among them
    follows a fixed order, not the timings: float32 first, then the order of
    :func:`measured_paths` (PyTorch float32, the reference, first). So timing noise between two
    equally fast paths (PyTorch and OpenVINO float32 on an AVX2 CPU; OpenVINO's bf16 hint on a
    CPU without bf16) cannot flip the choice between runs, and exact results win a tie."""
    ok = [
        m
        for m in measurements
        if m.path in allowed
        and m.error is None
        and m.seconds is not None
        and (m.mean_cosine or 0.0) >= floor
    ]
    if not ok:
        fallback = fallback_path(list(allowed))
        return fallback, f"no candidate path met the floor (mean cosine >= {floor}): {fallback}"
    fastest = min(ok, key=lambda m: m.seconds)
    rank = {p: i for i, p in enumerate(measured_paths(allowed))}
    near = [m for m in ok if m.seconds <= fastest.seconds * (1 + margin)]
    best = min(near, key=lambda m: (m.path.precision != "float32", rank[m.path]))
    note = ""
    if best.path != fastest.path:
        note = f"; within {margin:.0%} of the fastest, {fastest.path}: float32 and torch first"
    rate = f"{best.reviews_per_second} reviews/s" if best.reviews_per_second else "fastest"
    return best.path, (
        f"measured: the fastest of {len(ok)} path(s) with mean cosine >= {floor} to torch "
        f"float32 ({rate}{note})"
    )


def measure_paths(
    encode_fn: Callable[[EncodePath, Sequence[str]], object],
    paths: Sequence[EncodePath],
    texts: Sequence[str],
    *,
    rounds: int = MEASURE_ROUNDS,
    log=None,
) -> list[Measurement]:
    """Time ``encode_fn(path, texts)`` (it returns the embeddings) for every path.

    The first path is the reference of the cosines. Every path first encodes all of ``texts``
    once, untimed (OpenVINO compiles the model and meets the batches' shapes then). Then
    ``rounds`` rounds each time every path in turn, and a path's time is its fastest round:
    a slow spell of the machine (another job, a noisy neighbour) then slows one round of every
    path, not all of one path's. A path that fails is recorded with its error and never chosen.
    """
    ok, errors, embeddings = [], {}, {}
    for path in paths:
        try:
            embeddings[path] = np.asarray(encode_fn(path, texts))
            ok.append(path)
        except Exception as exc:  # a path that cannot run here is just not a candidate
            errors[path] = f"{type(exc).__name__}: {exc}"[:300]
            if log:
                log.warning("encoding path %s failed: %s", path, errors[path])
    best = {path: float("inf") for path in ok}
    for _ in range(rounds):
        for path in ok:
            t0 = time.perf_counter()
            encode_fn(path, texts)
            best[path] = min(best[path], time.perf_counter() - t0)
    ref = embeddings[ok[0]] if ok else None
    out = []
    for path in paths:
        if path in errors:
            out.append(Measurement(path, error=errors[path]))
            continue
        out.append(_measurement(path, best[path], len(texts), cosine_rows(ref, embeddings[path])))
        if log:
            m = out[-1]
            log.info(
                "path %s: %.1f reviews/s (best of %d), mean cosine %.5f",
                path,
                m.reviews_per_second or 0,
                rounds,
                m.mean_cosine,
            )
    return out


def _measurement(path: EncodePath, seconds: float, n: int, cos: np.ndarray) -> Measurement:
    return Measurement(
        path,
        seconds=round(seconds, 3),
        reviews_per_second=round(n / seconds, 2) if seconds > 0 else None,
        mean_cosine=round(float(cos.mean()), 6),
        min_cosine=round(float(cos.min()), 6),
    )


def cached_choice(
    cache_dir: str | Path | None,
    setting: dict,
    measure: Callable[[], list[Measurement]],
    allowed: Sequence[EncodePath],
) -> dict:
    """The measured choice for ``setting``: read from ``cache_dir`` if an earlier job of this
    machine made it, else measured (under a lock, so that concurrent jobs wait for the first)
    and written there (:func:`sentclust.bert.pathcache.cached_record`). Returns the record:
    path, rule, measurements, setting, key, cached."""
    return cached_record(cache_dir, setting, lambda key: _record(measure(), allowed, setting, key))


def _record(measurements, allowed, setting, key) -> dict:
    """A fresh measurement's record (``cached`` False: it was measured now)."""
    path, rule = choose_path(measurements, allowed)
    return {
        "key": key,
        "backend": path.backend,
        "precision": path.precision,
        "rule": rule,
        "measurements": [m.to_dict() for m in measurements],
        "setting": setting,
        "cached": False,
    }


def path_of(record: dict) -> EncodePath:
    return EncodePath(record["backend"], record["precision"])


def choose_encoding(
    model,
    precision: str,
    backend: str,
    device: str,
    calibration_texts: Sequence[str],
    *,
    encode_kw: dict,
    threads: int | None = None,
    cache_dir: str | Path | None = None,
    int8_model: str | Path | None = None,
    model_id: dict | None = None,
    follow: tuple[str, str, str] | None = None,
    log=None,
) -> tuple[EncodePath, dict]:
    """The (backend, precision) to encode with, and why.

    ``precision`` and ``backend`` are the config's ``bert.precision`` and
    ``bert.runtime.backend``. On CUDA: PyTorch, fp16 for ``auto``. On a CPU: the one path the
    config names, or, where it leaves a choice (``auto``), the measured fastest that meets the
    accuracy floor (:func:`cached_choice`). ``encode_kw``: mode, max_seq_length, batch_size.
    ``int8_model``: an OpenVINO int8 model that passed its check (see :mod:`sentclust.bert.int8`).
    ``follow``: (backend, precision, shard) of a finished shard of the same run; a CPU job
    where the config leaves a choice encodes that way too, without measuring.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"bert.precision must be one of {PRECISIONS}, got {precision!r}")
    resolve_backend(backend, device)  # checks the name, and that a named openvino imports
    if device.startswith("cuda"):
        return _cuda_path(precision)
    _check_cpu_precision(precision, int8_model)
    allowed = _cpu_candidates(backend, precision, int8_model)
    if len(allowed) == 1:
        return allowed[0], {"rule": "set in the config"}
    if follow is not None and EncodePath(*follow[:2]) in allowed:
        rule = f"as the run's shards already encoded ({follow[2]}): one embedding space"
        return EncodePath(*follow[:2]), {"rule": rule}
    run = _encoder(model, device, encode_kw, threads=threads, int8_model=int8_model)
    setting = {
        "machine": machine.describe(),
        "threads": threads,
        "model": model_id or {},
        "encoding": encode_kw,
        "paths": [str(p) for p in allowed],
        "int8_model": file_hash(int8_model) if int8_model else None,
        "floor": MIN_MEAN_COSINE,
        "calibration_reviews": len(calibration_texts),
        "method": MEASURE_METHOD,
    }
    record = cached_choice(
        cache_dir,
        setting,
        lambda: measure_paths(run, measured_paths(allowed), calibration_texts, log=log),
        allowed,
    )
    why = {k: record[k] for k in ("rule", "measurements", "cached", "key")}
    why["calibration_reviews"] = len(calibration_texts)
    why["machine"] = machine.header(setting["machine"])
    return path_of(record), why


def _cpu_candidates(backend: str, precision: str, int8_model) -> list[EncodePath]:
    """:func:`candidate_paths` on this machine: OpenVINO where it imports, bf16 where the CPU
    has bf16 instructions, int8 where a model passed its check."""
    flags = machine.cpu_flags()
    return candidate_paths(
        backend,
        precision,
        openvino=openvino_available(),
        int8=int8_model is not None,
        bf16=flags["avx512_bf16"] or flags["amx_bf16"],
    )


def _encoder(model, device: str, encode_kw: dict, *, threads, int8_model):
    """``run(path, texts)``: the texts' embeddings on ``path``, as the job would encode them."""

    def run(path: EncodePath, texts):
        kw = dict(precision=path.precision, backend=path.backend, threads=threads)
        return encode(
            model, texts, device=device, progress=False, int8_model=int8_model, **kw, **encode_kw
        )[0]

    return run


def _cuda_path(precision: str) -> tuple[EncodePath, dict]:
    """On CUDA: PyTorch, fp16 for ``auto``."""
    if precision == "int8":
        raise ValueError("bert.precision int8 runs on the CPU (OpenVINO); use auto on a GPU")
    chosen = "float16" if precision == "auto" else precision
    rule = "auto: fp16 on CUDA" if precision == "auto" else "set in the config"
    return EncodePath("torch", chosen), {"rule": rule}


def _check_cpu_precision(precision: str, int8_model) -> None:
    if precision == "float16":
        raise ValueError("bert.precision float16 needs a CUDA device; use bfloat16 or auto")
    if precision == "int8" and int8_model is None:
        raise ValueError(
            "bert.precision is int8 but no int8 model passed its check: set bert.int8.enabled "
            "to true (the int8_check rule quantizes and checks it), or use precision auto"
        )


def encoding_setting(encoding: dict, int8_model: str | Path | None = None) -> str:
    """A short hash of what a shard's vectors depend on: the rule's encoding params and the int8
    model offered to it. Recorded in each shard's JSON: a resumed job follows the path of the
    finished shards of the same setting (see :func:`sentclust.bert.shards.path_to_follow`)."""
    return cache_key({"encoding": encoding, "int8": file_hash(int8_model) if int8_model else None})
