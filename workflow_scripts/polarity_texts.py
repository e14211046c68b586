"""Rule polarity_texts: the config's explained texts (explain.texts) segmented and scored as
the reviews were, with the scorers and thresholds that rule score_segments fitted."""

import json
from pathlib import Path

from sentclust.files import write_json
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    from sentclust.bert.shards import summary_siblings
    from sentclust.polarity import job as pj
    from sentclust.polarity.scorers import SegmentScorers
    from sentclust.wordvec.model import SentimentNetwork

    p = sm.params
    scorers = SegmentScorers.read(sm.input.scorers)
    summary = sm.input.get("bert_summary")
    siblings = summary_siblings(json.loads(Path(summary).read_text())) if summary else ()
    texts, spans, bert = pj.text_segments(
        p.texts,
        scorers=scorers,
        segments=p.segments,
        unicode_form=p.unicode_form,
        encoding=p.encoding,
        runtime=sm.config["bert"]["runtime"],
        bert_mode=p.bert_segments,
        threads=sm.threads,
        siblings=siblings,
    )
    explained = pj.explain_text_polarity(
        texts,
        segment_spans=spans,
        network=SentimentNetwork.load(sm.input.model),
        lowercase=p.lowercase,
        scorers=scorers,
        bert_vectors=bert,
    )
    write_json({"scorer": scorers.primary, "texts": explained}, sm.output[0])
    for item in explained:
        log.info("dual polarity %s: %s", item["dual_polarity"], item["text"][:80])
