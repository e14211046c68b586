"""Placing new reviews on a finished run's scale (rules/assign.smk: rules model_manifest and
assign; the command-line tool ``python -m sentclust assign``).

Modules, one purpose each:

- :mod:`.job`: the rules' work: the run's model manifest, one assign.inputs entry placed;
- :mod:`.placing`: :class:`~.placing.Placer`, a run's models loaded once, then any texts
  cleaned, encoded and projected as the corpus was and given the level of their nearest
  centre, with the polarity inside them and each segment's aspect;
- :mod:`.encoder`: :class:`~.encoder.BertEncoder`, the run's sentence-transformer found,
  checked against the run's identity and encoding as the corpus was encoded;
- :mod:`.run_models`: what a run saves for that (the manifest's ``about``, its file list) and
  :func:`~.run_models.open_run`, a run folder opened after its manifest is verified;
- :mod:`.manifest`: the manifest itself: each file's size and SHA-256, verified before use;
- :mod:`.levels`: a kind's levels at k (from its ``finegrained.json``) and the level of each
  vector's nearest centre;
- :mod:`.segment_aspects`: each segment of a new text with its aspect (the nearest centre of
  the run's chosen aspect count), its polarity and its comparisons, as a per-segment table;
- :mod:`.new_texts`: new texts from the command line, a file (.txt, .csv, .parquet) or an
  aclImdb copy;
- :mod:`.cli`: the command-line tool.

The saved models are the stages' own objects (:class:`sentclust.cluster.KMeansModel`,
:class:`sentclust.cluster.PLSProjection`, :class:`sentclust.wordvec.model.SentimentNetwork`,
:class:`sentclust.polarity.scorers.SegmentScorers`): a new text goes through the code path a
corpus review went through. Importing the package imports neither TensorFlow nor torch.
"""

from sentclust.assign.manifest import ManifestError
from sentclust.assign.run_models import RunModels, open_run

__all__ = ["ManifestError", "Placer", "RunModels", "open_run"]


def __getattr__(name: str):
    """:class:`~.placing.Placer`, imported when first used."""
    if name != "Placer":  # submodules are found by the import system, not here
        raise AttributeError(f"module 'sentclust.assign' has no attribute {name!r}")
    # lazy: placing imports most of the stages, which the rules of this package need not
    from sentclust.assign.placing import Placer

    return Placer
