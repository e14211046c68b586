"""Rule wordvec_vectors: every review's vector = masked average of its word vectors."""

import pandas as pd

from sentclust.files import embeddings_table, write_json, write_parquet
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    # TensorFlow prints while it loads: import it inside the log redirection
    from sentclust.wordvec import job
    from sentclust.wordvec.model import SentimentNetwork
    from sentclust.wordvec.network import configure_tensorflow

    configure_tensorflow(sm.params.seed, sm.threads)
    model = SentimentNetwork.load(sm.input.model)
    prepared = pd.read_parquet(sm.input.prepared, columns=["review_id", "tokens"])
    vectors, known = model.review_vectors(prepared["tokens"].to_numpy(), with_counts=True)
    summary = job.vectors_summary(prepared["review_id"], vectors, known)
    write_parquet(embeddings_table(prepared["review_id"], vectors), sm.output.embeddings)
    write_json(summary, sm.output.summary)
    n_zero = summary["zero_vector_reviews"]
    log.info("%d review vectors, %d with no known word (zero vector)", len(prepared), n_zero)
