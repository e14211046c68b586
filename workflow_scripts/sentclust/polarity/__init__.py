"""Polarity stage: reviews split into segments, each segment scored by models trained on review
labels only, per review polarity checked against the star ratings (rules/polarity.smk).

Rules and their work (all rule-facing functions are in :mod:`.job`):

- segment: :func:`.job.segment_reviews`, sentences (:mod:`.sentences`) cut into clauses at
  contrastive markers (:mod:`.clauses`), as the segments table (:mod:`.segments`);
- score_segments: :func:`.job.score_segments`, the run's scorers fitted and applied as one
  object, :class:`.scorers.SegmentScorers` (polarity/scorers.json is its saved form);
- polarity: :func:`.job.review_polarity_outputs`, per review polarity (:mod:`.reviews`) and
  its check against the star ratings (:mod:`.check`);
- polarity_texts: :func:`.job.text_segments` and :func:`.job.explain_text_polarity`, the
  config's explained texts scored as the reviews were (new texts placed on a finished run go
  through :func:`.job.explain_text_polarity` and :class:`.scorers.SegmentScorers` too).

Modules:

- :mod:`.contract`: the stage's tables (segments, segment scores, review polarity), the segment
  labels and the scorer names;
- :mod:`.sentences`: sentence spans (Punkt or pySBD, then repairs for review text);
- :mod:`.clauses`: clause spans of a sentence, cut before contrastive markers;
- :mod:`.segments`: a review's segments and the segments table of a corpus;
- :mod:`.scoring`: the single-segment scorers (the word-embedding network, the BERT review
  classifier);
- :mod:`.mil`: the multiple-instance polarity model (after MILNET: segment class distributions
  and gated attention over the review's segments, fitted on review ratings or labels);
- :mod:`.milfit`: that model on a corpus: its segment features, the segments by review, its fit
  on the train split;
- :mod:`.thresholds`: the positive / neutral / negative thresholds of a score, fitted by
  isotonic regression on train-split segments;
- :mod:`.scorers`: :class:`.scorers.SegmentScorers`, the scorers with their thresholds: fit,
  apply, saved form;
- :mod:`.reviews`: per review polarity from its scored segments;
- :mod:`.check`: the per-review polarity against the star ratings and the review labels;
- :mod:`.job`: the rules' functions.

Only light modules are imported here. TensorFlow comes with the network a caller passes in
(:class:`sentclust.wordvec.model.SentimentNetwork`) and with the network's validation split in
:meth:`.scorers.SegmentScorers.fit`; torch with the encoder, in :func:`.job.bert_text_segments`.
"""

__all__ = [
    "check",
    "clauses",
    "contract",
    "job",
    "mil",
    "milfit",
    "reviews",
    "scorers",
    "scoring",
    "segments",
    "sentences",
    "thresholds",
]
