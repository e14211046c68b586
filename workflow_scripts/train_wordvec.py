"""Rule train_wordvec: fit the vectoriser and the network on the train split, test on test."""

import pandas as pd
import pyarrow as pa

from sentclust.files import (
    atomic_path,
    fixed_size_list,
    package_versions,
    write_json,
    write_parquet,
)
from sentclust.smk import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    # TensorFlow prints while it loads: import it inside the log redirection
    from sentclust import wordvec

    seed = sm.params.seed
    p = wordvec.NetworkParams.from_config(sm.params.network)
    wordvec.configure_tensorflow(seed, sm.threads)
    reviews = pd.read_parquet(sm.input.reviews, columns=["review_id", "split", "label"])
    tokens = pd.read_parquet(sm.input.prepared, columns=["review_id", "tokens"])
    df = reviews.merge(tokens, on="review_id", how="inner", validate="one_to_one")
    train, test = df[df["split"] == "train"], df[df["split"] == "test"]
    if train.empty or test.empty:
        raise ValueError(
            "the network needs reviews in both the train and the test split; "
            f"found train={len(train)}, test={len(test)} (check ingest.splits)"
        )
    log.info("training on %d reviews (%s)", len(train), p)
    vec, net, info = wordvec.train(train["tokens"].to_numpy(), train["label"].to_numpy(), p, seed)
    model = wordvec.export_model(vec, net)
    test_metrics = wordvec.evaluate(model, test["tokens"].to_numpy(), test["label"].to_numpy())
    log.info("test: %s", test_metrics)
    with atomic_path(sm.output.model) as tmp:
        model.save(tmp)
    words, vectors = wordvec.word_vectors(model)
    table = pa.table(
        {"word": pa.array(words, type=pa.string()), "vector": fixed_size_list(vectors)}
    )
    write_parquet(table, sm.output.words)
    write_json(
        {
            "test": test_metrics,
            "training": info,
            "params": wordvec.params_dict(p),
            "seed": seed,
            "versions": package_versions(["tensorflow-cpu", "tensorflow", "keras", "numpy"]),
        },
        sm.output.metrics,
    )
