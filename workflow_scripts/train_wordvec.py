"""Rule train_wordvec: fit the vectoriser and the network on the train split, test on test."""

import pandas as pd

from sentclust.files import write_json, write_parquet
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    # TensorFlow prints while it loads: import it inside the log redirection
    from sentclust.wordvec import job
    from sentclust.wordvec.network import NetworkParams, configure_tensorflow, train_test_frames

    seed = sm.params.seed
    p = NetworkParams.from_config(sm.params.network)
    configure_tensorflow(seed, sm.threads)
    reviews = pd.read_parquet(sm.input.reviews, columns=["review_id", "split", "label"])
    tokens = pd.read_parquet(sm.input.prepared, columns=["review_id", "tokens"])
    train, test = train_test_frames(reviews, tokens)
    model, metrics = job.train_and_test(train, test, p, seed, log=log)
    model.save(sm.output.model)
    write_parquet(job.word_vectors_table(model), sm.output.words)
    write_json(metrics, sm.output.metrics)
