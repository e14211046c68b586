"""Custom word embeddings stage (rules/wordvec.smk: rules train_wordvec, wordvec_vectors,
explain, probe): a small TensorFlow network trained on review labels, whose embedding layer
gives word vectors and review vectors; LIME explanations of its predictions; linear probes of
every embedding kind.

Modules, one purpose each:

- :mod:`.job`: the rules' work (what each rule script calls): train and test with the metrics
  record and the word vectors table, the review vectors' summary, the LIME explanations, the
  probe of one kind (this module imports TensorFlow only when it trains);
- :mod:`.model`: :class:`~.model.SentimentNetwork`, the trained network as one object: its fit,
  its saved form (``.keras``, safe mode), P(positive), review and word vectors; scoring
  segments (:mod:`sentclust.polarity`) and placing new texts (:mod:`sentclust.assign`) use it
  too;
- :mod:`.network`: the network's layers (masked average pooling), its hyperparameters
  (:class:`~.network.NetworkParams`, the config's ``wordvec`` section), the seeded validation
  hold-out and training;
- :mod:`.explain`: LIME explanations of chosen test reviews and of the config's texts, their
  figures and HTML pages;
- :mod:`.probe`: the linear probe, logistic regression from train vectors to test vectors.

:mod:`.model` and :mod:`.network` import TensorFlow (seconds): the package itself imports
nothing, and jobs that do not use the network never load it.
"""

__all__ = ["explain", "job", "model", "network", "probe"]
