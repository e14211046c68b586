"""Aspects stage (issue 30, rules/aspects.smk): what the segments talk about and how they
compare things.

Modules:

- :mod:`.comparisons`: comparisons inside a segment ("better than", "not as good as",
  "compared to", ...) with the two things compared as character spans and a ``negated`` flag;
- :mod:`.fit`: aspects by K-means on the BERT segment vectors (fit on the train split or a
  seeded sample, assign all) through the sweep's backends;
- :mod:`.naming`: each aspect's distinctive terms (the levels' weighted log-odds), its most
  typical segments and its polar share;
- :mod:`.vectors`: the BERT segment vectors read shard by shard (the keys checked against the
  segments, the fit rows' vectors, every row's nearest centre);
- :mod:`.levels`: per fine-grained level x aspect its table, the levels' names and order
  (finegrained.json) and the segments its reviewers praise and pan within each aspect;
- :mod:`.polarity`: the segment polarity per aspect and per fine-grained level x aspect, and
  the level x aspect heatmap;
- :mod:`.coverage`: which aspects film criticism names (acting, story, music, ...) the
  clustering finds, merges or misses (tests/benchmarks/bench_aspects.py reports it);
- :mod:`.figure`: the level x aspect heatmap (the rule's PNG and the report's figure);
- :mod:`.quality`: stability across seeds (ARI) and top-term coherence (NPMI);
- :mod:`.summary`: what the report shows (the aspect rows, the level x aspect grids);
- :mod:`.job`: the rules' functions (rules/aspects.smk: aspects_k -> :func:`.job.fit_count`,
  aspects -> :func:`.job.summarise`).

Only light modules are imported here.
"""

__all__ = [
    "comparisons",
    "coverage",
    "figure",
    "fit",
    "job",
    "levels",
    "naming",
    "polarity",
    "quality",
    "summary",
    "vectors",
]
