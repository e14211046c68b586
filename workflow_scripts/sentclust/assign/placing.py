"""Placing new texts on a finished run's fine-grained scale, as the run placed its own reviews.

A :class:`Placer` loads a run's models once (:func:`sentclust.assign.run_models.open_run`), then for
any texts: cleans and tokenises them with the run's prepare settings, computes each kind's
vectors as the corpus got them (the network's masked average for ``wordvec``; the run's
sentence-transformer, revision, mode, window, backend and precision for ``bert``; the saved PLS
parameters for a ``*_pls`` kind), and gives each the level of its nearest saved centre
(:mod:`sentclust.assign.levels`) at the chosen k and at every explored k, with the network's
positive probability and, when the run scored segments, the polarity inside each text; per
segment, its aspect (when the run has the aspects stage), its polarity and its comparisons
(:mod:`sentclust.assign.segment_aspects`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from sentclust.assign import levels as assign
from sentclust.assign import segment_aspects as sa
from sentclust.assign.encoder import BertEncoder
from sentclust.assign.run_models import RunModels, open_run
from sentclust.files import write_parquet
from sentclust.polarity.job import explain_text_polarity
from sentclust.polarity.reviews import review_polarity
from sentclust.polarity.scorers import SegmentScorers
from sentclust.polarity.segments import segment_review
from sentclust.prepare.text import clean_text, tokenize_many

#: texts above this count get progress bars
PROGRESS_ABOVE = 200
#: the per-text polarity columns (from :func:`sentclust.polarity.reviews.review_polarity`)
POLARITY_COLUMNS = (
    "n_segments",
    "n_positive",
    "n_negative",
    "n_neutral",
    "spread_std",
    "dual_polarity",
    "most_positive_text",
    "most_negative_text",
)


def confidence(distance, margin) -> np.ndarray:
    """How clearly a text sits in its cluster: (d2 - d1) / (d2 + d1), from the distance d1 to
    the nearest centre and the margin d2 - d1 to the second nearest; 0 on the boundary, 1 on
    the centre (1 too with a single centre)."""
    d1 = np.asarray(distance, dtype=np.float64)
    m = np.asarray(margin, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(np.isinf(m), 1.0, m / (2.0 * d1 + m))
    return np.nan_to_num(out, nan=1.0).astype(np.float32)


def write_assignments(placed: pd.DataFrame, path: str | Path) -> None:
    """The rows of :meth:`Placer.place` as Parquet, written atomically."""
    write_parquet(pa.Table.from_pandas(placed, preserve_index=False), path)


class Placer:
    """A run's models, loaded once (``kinds``: only what those need; all by default)."""

    def __init__(
        self,
        run: str | Path | RunModels,
        *,
        kinds: Sequence[str] | None = None,
        threads: int = 1,
        log: logging.Logger | None = None,
    ):
        self.models = run if isinstance(run, RunModels) else open_run(run)
        self.kinds = self.models.check_request(kinds, None)
        self.threads = threads
        self.log = log or logging.getLogger("sentclust")
        about = self.models.about
        self.network = self._network(about, threads)
        self.scorers = None
        if about.get("polarity"):
            scorers = self.models.read_bytes(about["polarity"]["scorers"])
            self.scorers = SegmentScorers.from_dict(json.loads(scorers))
        self.aspects = sa.AspectModel.from_run(self.models)  # None: the run has no aspects
        sources = {about["kinds"][k]["source"] for k in self.kinds}
        needs_bert = "bert" in sources or self._needs_segment_vectors()
        self.bert = None
        if needs_bert:
            int8 = about["bert"].get("int8")
            if int8:  # the checked bytes of both files, side by side
                self.models.local_copy(int8["weights"])
            int8_model = self.models.local_copy(int8["model"]) if int8 else None
            self.bert = BertEncoder(about["bert"], int8_model, threads=threads, log=self.log)

    def _network(self, about: dict, threads: int):
        """The run's network, None for a run without labels (it has none)."""
        if not about.get("wordvec_model"):
            return None
        # TensorFlow: only when a run is opened to place texts
        from sentclust.wordvec.model import SentimentNetwork
        from sentclust.wordvec.network import configure_tensorflow  # (TensorFlow too)

        configure_tensorflow(0, threads)
        return SentimentNetwork.load(self.models.local_copy(about["wordvec_model"]))

    def _polarity_needs_bert(self) -> bool:
        return self.scorers is not None and self.scorers.needs_bert

    def prepare(self, texts: Sequence[str]) -> tuple[list[str], list[str]]:
        """(cleaned texts, space-joined tokens) with the run's prepare settings."""
        p = self.models.about["prepare"]
        cleaned = [clean_text(str(t), unicode_form=p["unicode_form"]) for t in texts]
        return cleaned, tokenize_many(cleaned, lowercase=p["lowercase"], n_jobs=1)

    def vectors(self, cleaned, tokens, *, spans=None, progress: bool = False) -> dict:
        """Per source (``wordvec``, ``bert``) the texts' vectors; ``segments``: the BERT
        segment vectors of ``spans`` when given."""
        about = self.models.about
        sources = {about["kinds"][k]["source"] for k in self.kinds}
        out = {}
        if "wordvec" in sources:
            out["wordvec"] = self.network.review_vectors(tokens)
        if self.bert is not None:
            out["bert"], out["segments"] = self.bert.encode(cleaned, spans=spans, progress=progress)
        return out

    def kind_vectors(self, kind: str, vectors: dict) -> np.ndarray:
        """A kind's vectors: its source's, projected with the saved PLS for a ``*_pls`` kind."""
        entry = self.models.about["kinds"][kind]
        x = vectors[entry["source"]]
        if entry["pls"]:
            x = self.models.projection(kind).transform(x)
        return x

    def place(self, texts: pd.DataFrame, *, k: int | None = None) -> pd.DataFrame:
        """One row per (text, kind, k): ``texts``' ``text_id`` (and ``label``/``rating`` when
        it has them), the kind, k and whether it is the chosen k, the level (cluster, rank,
        name, grade, positive share, mean rating), distance, margin, confidence, the network's
        positive probability, and the polarity inside the text when the run has it. ``k``:
        that k only (one the run named), else the chosen and the explored ks."""
        return self.place_with_segments(texts, k=k)[0]

    def place_with_segments(
        self, texts: pd.DataFrame, *, k: int | None = None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(:meth:`place`'s rows, one row per segment of each text: its aspect, polarity and
        comparisons, :data:`sentclust.assign.segment_aspects.SCHEMA`; no rows for a run that
        segments nothing: neither polarity nor aspects)."""
        self.models.check_request(self.kinds, k)
        progress = len(texts) > PROGRESS_ABOVE
        cleaned, tokens = self.prepare(texts["text"].tolist())
        spans = self._segments(cleaned)
        vectors = self.vectors(cleaned, tokens, spans=self._pooled(spans), progress=progress)
        per_text = texts.drop(columns=["text"]).reset_index(drop=True)
        if self.network is not None:  # a run without labels has no network
            per_text["network_probability"] = self.network.predict_proba(tokens)
        seg_vectors = self._bert_segments(cleaned, spans, vectors)
        labels = None
        if self.scorers is not None:
            bert = seg_vectors if self._polarity_needs_bert() else None
            polarity, labels = self._polarity(cleaned, spans, bert)
            per_text = pd.concat([per_text, polarity], axis=1)
        frames = [self._levels(kind, vectors, per_text, k) for kind in self.kinds]
        out = pd.concat(frames, ignore_index=True)
        placed = out.merge(per_text, on="text_id", how="left", validate="many_to_one")
        ids = per_text["text_id"].tolist()
        return placed, self._segment_table(ids, cleaned, spans, seg_vectors, labels)

    def _levels(self, kind: str, vectors: dict, per_text: pd.DataFrame, k) -> pd.DataFrame:
        """One kind's rows of :meth:`place` (without the per-text columns)."""
        x = self.kind_vectors(kind, vectors)
        chosen = self.models.chosen_k(kind)
        frames = []
        for kk in [k] if k is not None else self.models.named_ks(kind):
            model = self.models.centres(kind, kk)
            levels = assign.levels(self.models.finegrained(kind), kk)
            ids = per_text["text_id"].to_numpy()
            placed = assign.assign_vectors(x, model, levels, ids=ids)
            placed.insert(0, "text_id", ids)
            placed.insert(1, "kind", kind)
            placed.insert(2, "k", np.int32(kk))
            placed.insert(3, "chosen_k", kk == chosen)
            placed["confidence"] = confidence(placed["distance"], placed["margin"])
            frames.append(placed)
        return pd.concat(frames, ignore_index=True)

    def _segment_table(self, text_ids, cleaned, spans, seg_vectors, labels) -> pd.DataFrame:
        """Per segment: its aspect (the run's nearest aspect centre, when the run has them),
        its polarity label (when the run has scorers) and its comparisons."""
        flat = sa.flat_segments(text_ids, cleaned, spans or [[] for _ in cleaned])
        found = coverage = None
        if self.aspects is not None and seg_vectors is not None:
            vectors, coverage = seg_vectors
            found = self.aspects.nearest(vectors, coverage)
        names = self.aspects.names if self.aspects is not None else None
        rows = sa.segment_rows(flat, aspects=found, names=names, coverage=coverage, labels=labels)
        return sa.segments_frame(rows)

    # ----------------------------------------------------------------- polarity inside texts

    def _segmentation(self) -> dict:
        """How the run segmented reviews and made their vectors: the polarity's settings, else
        the aspects' (a run without labels), else none (a run that segments nothing)."""
        about = self.models.about
        return about.get("polarity") or about.get("aspects") or {}

    def _segments(self, cleaned: Sequence[str]) -> list[list[tuple[int, int, int]]] | None:
        seg = self._segmentation().get("segments")
        return None if seg is None else [segment_review(t, **seg) for t in cleaned]

    def _needs_segment_vectors(self) -> bool:
        return self._polarity_needs_bert() or self.aspects is not None

    def _pooled(self, spans):
        """The spans to pool in the BERT pass: only when the polarity or the aspects read BERT
        segment vectors pooled in the review's own pass (as the run did)."""
        if spans is None or not self._needs_segment_vectors() or self.bert is None:
            return None
        if self._segmentation().get("bert_segments") != "pooled":
            return None
        return [[(s, e) for s, e, _ in sp] for sp in spans]

    def _bert_segments(self, cleaned, spans, vectors):
        """(segment vectors, coverage) in the flattened span order, or None when nothing
        reads them."""
        if spans is None or not self._needs_segment_vectors() or self.bert is None:
            return None
        if vectors.get("segments") is not None:
            return vectors["segments"].vectors, vectors["segments"].coverage
        seg_texts = [cleaned[i][s:e] for i, sp in enumerate(spans) for s, e, _ in sp]
        seg_vectors, _ = self.bert.encode(seg_texts)  # the run encoded segments separately
        return seg_vectors, np.ones(len(seg_texts), dtype=np.float32)

    def _polarity(self, cleaned, spans, bert_vectors) -> tuple[pd.DataFrame, np.ndarray]:
        """(per text: :data:`POLARITY_COLUMNS`, every segment's label in the flattened span
        order), with the run's scorers and thresholds."""
        explained = explain_text_polarity(
            cleaned,
            segment_spans=spans,
            network=self.network,
            lowercase=self.models.about["prepare"]["lowercase"],
            scorers=self.scorers,
            bert_vectors=bert_vectors,
        )
        primary = f"score_{self.scorers.primary}"
        rows = [
            {"review_id": i, "segment_no": j, "score": s[primary], "label": s["label"]}
            for i, item in enumerate(explained)
            for j, s in enumerate(item["segments"])
        ]
        scored = pd.DataFrame(rows, columns=["review_id", "segment_no", "score", "label"])
        per = review_polarity(scored, range(len(cleaned)))
        out = per[[c for c in POLARITY_COLUMNS if c in per.columns]].copy()
        for end, col in (("positive", "most_positive_text"), ("negative", "most_negative_text")):
            numbers = per[f"most_{end}_segment"].to_numpy()
            out[col] = [
                explained[i]["segments"][n]["text"] if n >= 0 else None
                for i, n in enumerate(numbers)
            ]
        return out.reset_index(drop=True), scored["label"].to_numpy()
