"""BERT stage: every review encoded by a sentence-transformers model, one shard per job.

Rules (``rules/bert.smk``) and what serves them, all through :mod:`.job`:

- ``encode_shard`` (``workflow_scripts/encode_shard.py``): :func:`.job.encode_shard` reads a
  contiguous range of ``prepared.parquet``'s rows (:mod:`.shards`), loads the model
  (:mod:`.models`), chooses the backend and precision (:mod:`.paths`), encodes (:mod:`.encode`),
  pools the segment vectors in the same pass (:mod:`.pooling`) and writes the shard's vectors,
  its segment vectors and its JSON record;
- ``int8_check`` (``workflow_scripts/int8_check.py``): :func:`.job.int8_check` quantizes the
  transformer to int8 and judges it by the clusterings and label metrics of its vectors
  (:mod:`.int8`);
- ``gather_bert`` (``workflow_scripts/gather_bert.py``): :func:`.job.gather_bert` refuses shards
  encoded different ways and concatenates the rest in order (:mod:`.shards`).

Modules:

- :mod:`.job`: the rule-facing functions above, and :func:`.job.encode_configured` (one encoding
  as the config asks; the polarity stage uses it for the texts it explains);
- :mod:`.encode`: tokenising, the sorted-batch forward pass, long reviews (``truncate`` or
  ``chunk_mean``), segments encoded separately, :func:`.encode.cosine_rows`;
- :mod:`.pooling`: segment vectors mean-pooled from the reviews' own token embeddings;
- :mod:`.paths`: which backend and precision run on a CPU, measured on the machine at hand;
- :mod:`.pathcache`: those measurements kept once per machine and setting;
- :mod:`.openvino`: the OpenVINO backend (the compiled transformer) and its telemetry opt-out;
- :mod:`.int8`: the int8 encoder (NNCF quantization) and its downstream check;
- :mod:`.models`: which copy of a model is used (installed package, folder, hub) and loading it;
- :mod:`.shards`: the shards' row ranges, their records, the consistency check and the gather;
- :mod:`.machine`: the CPU a measurement was taken on (model, flags, cores, versions).

Importing the package imports none of its modules (torch and OpenVINO load only when a job
encodes): import the module you need, e.g. ``from sentclust.bert import job``.
"""

__all__ = [
    "encode",
    "int8",
    "job",
    "machine",
    "models",
    "openvino",
    "pathcache",
    "paths",
    "pooling",
    "shards",
]
