"""Rule explain: LIME explanations for test reviews chosen by rule and the config's texts."""

from functools import partial

import pandas as pd

from sentclust.files import atomic_dir, write_json
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    # TensorFlow prints while it loads: import it inside the log redirection
    from sentclust.wordvec import explain
    from sentclust.wordvec.model import SentimentNetwork
    from sentclust.wordvec.network import configure_tensorflow

    cfg, seed = sm.params.explain, sm.params.seed
    # run-time only (not a param: changing it reruns nothing)
    batch_size = sm.config["explain"]["batch_size"]
    configure_tensorflow(seed, sm.threads)
    model = SentimentNetwork.load(sm.input.model)
    reviews = pd.read_parquet(sm.input.reviews)
    prepared = pd.read_parquet(sm.input.prepared, columns=explain.PREPARED_COLUMNS)
    predict = model.predict_proba
    items = explain.review_items(reviews, prepared, predict, cfg["per_category"])
    items += explain.text_items(
        cfg["texts"], predict, unicode_form=sm.params.unicode_form, lowercase=sm.params.lowercase
    )
    lime_fn = explain.batched(partial(predict, batch_size=batch_size), batch_size)
    with atomic_dir(sm.output.figures) as fig_dir, atomic_dir(sm.output.html) as html_dir:
        explain.explain_items(items, lime_fn, fig_dir, html_dir, cfg, seed=seed, log=log)
    write_json(explain.explanations_record(items, cfg, seed), sm.output.json)
