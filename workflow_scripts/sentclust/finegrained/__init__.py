"""Fine-grained stage: each clustering's clusters ordered along the sentiment axis, named from the
data, described by their terms and the polarity inside their reviews, and checked against the
star ratings (rules term_counts and finegrained in rules/cluster.smk).

Rules and their work (all rule-facing functions are in :mod:`.job`):

- term_counts: :func:`.job.count_terms`, the reviews x terms count matrix of the prepared
  tokens, built once for every kind and k (its files: :mod:`.counts`);
- finegrained: :func:`.job.finegrained_sweep` (with :func:`.job.read_polarity`), the chosen k
  and the explored ones of one embedding kind, then the table, the figure and finegrained.json.

Modules:

- :mod:`.terms`: what a term is (the prepared tokens without stop words, sentiment-bearing
  function words kept, bigrams within a clause);
- :mod:`.counts`: the count matrix of those terms, its rows aligned with a clustering, its files;
- :mod:`.weights`: how distinctive each term is of each cluster (weighted log-odds or
  class-based TF-IDF) and each cluster's top terms;
- :mod:`.levels`: the levels of one clustering, ordered, named and described (one table row
  per level);
- :mod:`.grading`: which levels get a sentiment grade (the Wilson 95% interval of the
  positive share set apart from the corpus's; the others are topics);
- :mod:`.naming`: the levels' names (a grade from the positive share, or "topic", then two
  terms);
- :mod:`.scale`: the run's rating scale and labels' source, read from the ingest summary
  (the one home of the scale for every stage after ingest);
- :mod:`.check`: do the ordered levels order the star ratings (on all reviews; ordered on the
  train split, checked on the test split);
- :mod:`.polarity`: the segment polarity inside each level's reviews and its typical segments;
- :mod:`.job`: the rules' functions.

Only light modules are imported here; matplotlib is imported where the figure is drawn.
"""

__all__ = [
    "check",
    "counts",
    "grading",
    "job",
    "levels",
    "naming",
    "polarity",
    "scale",
    "terms",
    "weights",
]
