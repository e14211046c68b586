"""Rule polarity_model: the multiple-instance polarity model fitted on the train split's review
ratings (or labels), on the segments' word vectors and/or BERT vectors."""

import pandas as pd

from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    from sentclust.polarity import job as pj
    from sentclust.wordvec.model import SentimentNetwork

    inputs = dict(sm.input.items())  # the BERT segment vectors only when the model reads them
    model = pj.fit_polarity_model(
        pd.read_parquet(sm.input.segments),
        pd.read_parquet(sm.input.reviews, columns=pj.META_COLUMNS),
        network=SentimentNetwork.load(sm.input.model),
        bert_segment_files=inputs.get("bert_segments"),
        threads=sm.threads,
        **dict(sm.params.items()),  # polarity (mil, bert_segments), validation_fraction, ...
    )
    model.save(sm.output.model)
    log.info("polarity model: %s", {k: model.fit_info[k] for k in ("epochs", "held_out_loss")})
