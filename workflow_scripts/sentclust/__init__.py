"""Fine-grained sentiment analysis by clustering: the library of the Snakemake workflow.

One subpackage per stage, mirroring ``rules/*.smk`` (the map from each rule to its script, its
job function and the objects it uses: ``docs/architecture.md``):

- :mod:`sentclust.workflow`: the Snakemake glue (logging, config keys and checks, GPU requests,
  what goes online);
- :mod:`sentclust.ingest`, :mod:`sentclust.prepare`: reviews in, cleaned and tokenised;
- :mod:`sentclust.wordvec`: the word-embedding network, LIME, linear probes;
- :mod:`sentclust.bert`: sentence-transformer encoding (path choice, OpenVINO, int8, shards);
- :mod:`sentclust.cluster`: K-means models and backends, metrics, the choice of k, PLS;
- :mod:`sentclust.finegrained`: the fine-grained levels named from the data;
- :mod:`sentclust.polarity`: segments, their scorers, polarity inside reviews;
- :mod:`sentclust.report`: the aggregated HTML report;
- :mod:`sentclust.assign`: a finished run's saved models and new texts on its scale.

Shared by every stage: :mod:`sentclust.layout` (where a run's outputs live, the embedding
kinds), :mod:`sentclust.files` (atomic writes, Parquet and NPZ I/O), :mod:`sentclust.figures`
(seaborn figures), :mod:`sentclust.redact` (secrets kept out of what is written).

The public API for a Python user is :class:`Placer` and :func:`open_run`::

    from sentclust import Placer
    placed = Placer("results/demo").place(texts)  # texts: a DataFrame of text_id, text

Rule scripts in ``workflow_scripts/`` stay thin: they read ``snakemake.input`` and
``snakemake.params``, call these packages and write ``snakemake.output``.
"""

__all__ = ["Placer", "open_run"]


def __getattr__(name: str):
    """``Placer`` and ``open_run``, imported when first used."""
    if name not in __all__:  # submodules are found by the import system, not here
        raise AttributeError(f"module 'sentclust' has no attribute {name!r}")
    # lazy: every job imports this package, and placing texts imports most of the stages
    from sentclust.assign import placing, run_models

    return {"Placer": placing.Placer, "open_run": run_models.open_run}[name]
