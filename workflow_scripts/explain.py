"""Rule explain: LIME explanations for test reviews chosen by rule and the config's texts."""

import pandas as pd

from sentclust.files import write_json
from sentclust.workflow.logged import logged

sm = snakemake  # noqa: F821
with logged(sm.log[0]) as log:
    # TensorFlow prints while it loads: import it inside the log redirection
    from sentclust.wordvec import job
    from sentclust.wordvec.explain import PREPARED_COLUMNS
    from sentclust.wordvec.model import SentimentNetwork
    from sentclust.wordvec.network import configure_tensorflow

    configure_tensorflow(sm.params.seed, sm.threads)
    record = job.explain_predictions(
        SentimentNetwork.load(sm.input.model),
        pd.read_parquet(sm.input.reviews),
        pd.read_parquet(sm.input.prepared, columns=PREPARED_COLUMNS),
        sm.params.explain,
        prepare={"unicode_form": sm.params.unicode_form, "lowercase": sm.params.lowercase},
        # run-time only (not a param: changing it reruns nothing)
        batch_size=sm.config["explain"]["batch_size"],
        seed=sm.params.seed,
        figures=sm.output.figures,
        html=sm.output.html,
        log=log,
    )
    write_json(record, sm.output.json)
