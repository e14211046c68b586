"""Rule train_wordvec: fit the vectoriser and the network on the train split, test on test."""

import pandas as pd

from sentclust.files import atomic_path, write_json, write_parquet
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    # TensorFlow prints while it loads: import it inside the log redirection
    from sentclust.wordvec import network as wordvec

    seed = sm.params.seed
    p = wordvec.NetworkParams.from_config(sm.params.network)
    wordvec.configure_tensorflow(seed, sm.threads)
    reviews = pd.read_parquet(sm.input.reviews, columns=["review_id", "split", "label"])
    tokens = pd.read_parquet(sm.input.prepared, columns=["review_id", "tokens"])
    train, test = wordvec.train_test_frames(reviews, tokens)
    model, metrics = wordvec.train_and_test(train, test, p, seed, log=log)
    with atomic_path(sm.output.model) as tmp:
        model.save(tmp)
    write_parquet(wordvec.word_vectors_table(model), sm.output.words)
    write_json(metrics, sm.output.metrics)
