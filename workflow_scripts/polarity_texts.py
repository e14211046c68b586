"""Rule polarity_texts: the config's explained texts (explain.texts) segmented and scored as
the reviews were, with the scorers and thresholds that rule score_segments fitted."""

import json
from pathlib import Path

from sentclust.files import write_json
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    from sentclust.polarity import job as pj
    from sentclust.polarity import segments as seg
    from sentclust.prepare.text import clean_text
    from sentclust.wordvec import network as wordvec

    p = sm.params
    scorers = json.loads(Path(sm.input.scorers).read_text())
    texts = [clean_text(t, unicode_form=p.unicode_form) for t in p.texts]
    spans = [seg.segment_review(t, **p.segments) for t in texts]
    bert = None
    if scorers.get("bert_classifier") and texts:
        bert = pj.bert_text_segments(
            texts,
            spans,
            encoding=p.encoding,
            runtime=sm.config["bert"]["runtime"],
            mode=p.bert_segments,
            threads=sm.threads,
        )
    explained = pj.explain_text_polarity(
        texts,
        segment_spans=spans,
        model=wordvec.load_model(sm.input.model),
        lowercase=p.lowercase,
        scorers=scorers,
        bert_vectors=bert,
    )
    write_json({"scorer": scorers["primary"], "texts": explained}, sm.output[0])
    for item in explained:
        log.info("dual polarity %s: %s", item["dual_polarity"], item["text"][:80])
