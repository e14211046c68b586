"""An int8 encoder, used only where its downstream results match float32's.

The transformer (the model's first module, as :mod:`sentclust.bert.openvino` converts it) is
quantized by NNCF's post-training static quantization, calibrated on train-split reviews, and
saved as an OpenVINO model. Cosine similarity alone does not say whether the analysis changes,
so the int8 model is judged by what the workflow computes from its vectors
(:func:`downstream_check`), on held-back reviews that did not calibrate it:

- the K-means clusterings of int8 and float32 vectors agree: ARI between them >= ``min_ari``
  (``bert.int8.min_ari``) at every k of the sweep (the ARI of float32 with another K-means
  seed is recorded beside it, to show how much of the change K-means itself makes);
- the label metrics (purity, ARI and NMI against the labels at k = 2) and the linear probe's
  accuracy move by at most ``max_change`` (``bert.int8.max_change``).

Only an int8 model that passes is a candidate of the encode stage's measured choice
(:mod:`sentclust.bert.paths`); the check's numbers go into the report's provenance. The rule
int8_check runs it all (:func:`sentclust.bert.job.int8_check`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sentclust.bert.encode import cosine_rows, encode
from sentclust.bert.openvino import _convert, input_names
from sentclust.cluster.kmeans import kmeans
from sentclust.cluster.metrics import label_metrics
from sentclust.files import atomic_path, package_versions
from sentclust.wordvec.probe import linear_probe

#: label metrics compared at k = 2 (besides the probe's accuracy)
LABEL_METRICS = ("purity", "ari", "nmi")


def quantize(
    model,
    calibration_texts: Sequence[str],
    out_path: str | Path,
    *,
    max_seq_length: int,
    batch_size: int = 8,
) -> dict:
    """Quantize the model's transformer to int8 (NNCF, calibrated on ``calibration_texts``)
    and save it as an OpenVINO model at ``out_path`` (``.xml``, weights beside it in ``.bin``).
    Returns what was done (calibration size, seconds, versions)."""
    import nncf
    import openvino as ov

    t0 = time.perf_counter()
    names = input_names(model)
    converted = _convert(model[0].auto_model.eval(), names)
    batches = []
    for a in range(0, len(calibration_texts), batch_size):
        feats = model.tokenizer(
            list(calibration_texts[a : a + batch_size]),
            padding=True,
            truncation=True,
            max_length=max_seq_length,
            return_tensors="np",
        )
        batches.append({n: np.asarray(feats[n], dtype=np.int64) for n in names})
    quantized = nncf.quantize(
        converted,
        nncf.Dataset(batches),
        model_type=nncf.ModelType.TRANSFORMER,
        subset_size=len(batches),  # the dataset's items are batches
    )
    out_path = Path(out_path)
    with atomic_path(out_path) as tmp:  # the .xml and its .bin, each renamed only when written
        ov.save_model(quantized, str(tmp), compress_to_fp16=False)
        os.replace(tmp.with_suffix(".bin"), out_path.with_suffix(".bin"))
    return {
        "calibration_reviews": len(calibration_texts),
        "calibration_batches": len(batches),
        "seconds": round(time.perf_counter() - t0, 1),
        "versions": package_versions(["nncf", "openvino", "torch"]),
    }


def _probe_accuracy(x, labels, splits, seed: int) -> float:
    train, test = splits == "train", splits == "test"
    return linear_probe(x[train], labels[train], x[test], labels[test], seed=seed)["accuracy"]


def downstream_check(
    reference: np.ndarray,
    candidate: np.ndarray,
    labels: np.ndarray,
    splits: np.ndarray,
    *,
    ks: Sequence[int],
    kmeans_kw: dict,
    seed: int,
    min_ari: float,
    max_change: float,
) -> dict:
    """Compare what the workflow computes from ``candidate`` (int8) vectors with what it
    computes from ``reference`` (float32) ones, row for row the same reviews.

    ``ks``: the sweep's k; ``kmeans_kw``: :func:`sentclust.cluster.kmeans.kmeans`'s settings (the
    run's); ``labels``/``splits``: the reviews' labels and splits (the probe fits on train,
    scores on test); ``min_ari``, ``max_change``: the criteria (``bert.int8``). Returns per-k ARI
    between the two clusterings, the label metrics at k = 2 and the probe's accuracy for both
    with their differences, and ``passed``.
    """
    if reference.shape != candidate.shape:
        raise ValueError(f"the vectors differ in shape: {reference.shape} vs {candidate.shape}")
    labels, splits = np.asarray(labels), np.asarray(splits)
    per_k, at2 = _clusterings(reference, candidate, labels, ks=ks, kmeans_kw=kmeans_kw, seed=seed)
    changes = {m: at2["int8"][m] - at2["float32"][m] for m in LABEL_METRICS}
    probe = {
        "float32": _probe_accuracy(reference, labels, splits, seed),
        "int8": _probe_accuracy(candidate, labels, splits, seed),
    }
    changes["probe_accuracy"] = probe["int8"] - probe["float32"]
    cos = cosine_rows(reference, candidate)
    worst_ari = min(r["ari_int8_vs_float32"] for r in per_k)
    failures = _failures(per_k, changes, min_ari=min_ari, max_change=max_change)
    return {
        "passed": not failures,
        "failures": failures,
        "min_ari": min_ari,
        "max_change": max_change,
        "n_reviews": int(len(labels)),
        "worst_ari": worst_ari,
        "ari_per_k": per_k,
        "label_metrics_k2": {
            m: {"float32": at2["float32"][m], "int8": at2["int8"][m], "change": changes[m]}
            for m in LABEL_METRICS
        },
        "probe_accuracy": {**probe, "change": changes["probe_accuracy"]},
        "mean_cosine": float(cos.mean()),
        "min_cosine": float(cos.min()),
    }


def _clusterings(reference, candidate, labels, *, ks, kmeans_kw, seed) -> tuple[list, dict]:
    """Per k of the sweep, the ARI between the K-means clusterings of the two (and of float32
    with another seed); at k = 2 (clustered even outside the sweep) both label metrics."""
    from sklearn.metrics import adjusted_rand_score

    per_k, at2 = [], {}
    for k in sorted({int(k) for k in ks} | {2}):
        a = kmeans(reference, k, seed=seed, **kmeans_kw).labels
        b = kmeans(candidate, k, seed=seed, **kmeans_kw).labels
        if k in ks:
            # context, not a criterion: how far K-means itself moves on float32 with another seed
            c = kmeans(reference, k, seed=seed + 1, **kmeans_kw).labels
            per_k.append(
                {
                    "k": k,
                    "ari_int8_vs_float32": float(adjusted_rand_score(a, b)),
                    "ari_float32_other_seed": float(adjusted_rand_score(a, c)),
                }
            )
        if k == 2:
            at2 = {"float32": label_metrics(a, labels), "int8": label_metrics(b, labels)}
    return per_k, at2


def _failures(per_k, changes: dict, *, min_ari: float, max_change: float) -> list[str]:
    """What fails the check: an ARI below ``min_ari``, a change larger than ``max_change``."""
    failures = [
        f"ARI {r['ari_int8_vs_float32']:.4f} < {min_ari} at k={r['k']}"
        for r in per_k
        if r["ari_int8_vs_float32"] < min_ari
    ]
    failures += [
        f"{m} moved by {d:+.4f} (more than {max_change})"
        for m, d in changes.items()
        if abs(d) > max_change
    ]
    return failures


def check_table(check: dict) -> str:
    """The check as a Markdown table: ARI per k, then the label-metric changes."""
    lines = ["| k | ARI int8 vs float32 | float32, another K-means seed |", "| --- | --- | --- |"]
    lines += [
        f"| {r['k']} | {r['ari_int8_vs_float32']:.4f} | {r['ari_float32_other_seed']:.4f} |"
        for r in check["ari_per_k"]
    ]
    lines += ["", "| metric (k = 2) | float32 | int8 | change |", "| --- | --- | --- | --- |"]
    rows = {**check["label_metrics_k2"], "probe accuracy": check["probe_accuracy"]}
    lines += [
        f"| {m} | {v['float32']:.4f} | {v['int8']:.4f} | {v['change']:+.4f} |"
        for m, v in rows.items()
    ]
    verdict = "passed" if check["passed"] else "failed: " + "; ".join(check["failures"])
    lines += ["", f"{check['n_reviews']} held-back reviews; int8 {verdict}"]
    return "\n".join(lines)


def check_sample(
    splits: np.ndarray, *, calibration: int, check: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row indices: ``calibration`` train-split rows that calibrate the quantization, and
    ``check`` other rows (both splits, calibration rows excluded) that judge it; seeded."""
    splits = np.asarray(splits)
    rng = np.random.default_rng(seed)
    train = np.flatnonzero(splits == "train")
    if len(train) < calibration:
        raise ValueError(
            f"bert.int8.calibration_reviews is {calibration} but the train split has "
            f"{len(train)} reviews: lower it"
        )
    cal = np.sort(rng.choice(train, size=calibration, replace=False))
    rest = np.setdiff1d(np.arange(len(splits)), cal)
    held = np.sort(rng.choice(rest, size=min(check, len(rest)), replace=False))
    return cal, held


def encode_both(model, held_texts, encoding: dict, *, threads: int, int8_model, log):
    """The held-back reviews encoded by PyTorch float32 and by the int8 model: two
    (vectors, report) pairs."""
    kw = dict(
        mode=encoding["mode"],
        max_seq_length=encoding["max_seq_length"],
        batch_size=16,
        threads=threads,
    )
    ref, info_ref = encode(model, held_texts, **kw)
    q, info_q = encode(model, held_texts, precision="int8", backend="openvino",
                       int8_model=int8_model, **kw)  # fmt: skip
    log.info("float32 %.1f reviews/s, int8 %.1f reviews/s on %d held-back reviews",
             info_ref["texts_per_second"], info_q["texts_per_second"], len(held_texts))  # fmt: skip
    return (ref, info_ref), (q, info_q)


#: the settings of :func:`sentclust.cluster.kmeans.kmeans` taken from the run's kmeans section
KMEANS_KEYS = ("backend", "n_init", "max_iter", "tol", "screen_sample", "refine")


def check_summary(check: dict) -> dict:
    """What a shard's record keeps of the check: the verdict and its headline numbers."""
    keys = ("passed", "failures", "n_reviews", "worst_ari", "ari_per_k", "probe_accuracy")
    out = {k: check.get(k) for k in keys}
    out["label_changes_k2"] = {m: v["change"] for m, v in check["label_metrics_k2"].items()}
    return out
