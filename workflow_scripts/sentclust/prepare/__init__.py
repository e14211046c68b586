"""Text preparation stage (rules/prepare.smk: rule prepare): markup, entities, unicode and
whitespace cleaned, then NLTK tokens (no downloaded NLTK data, no stop words removed).

Modules, one purpose each:

- :mod:`.job`: the rule's work: the prepared-text table of every review and its summary;
- :mod:`.text`: cleaning one text and tokenising texts, as every stage that reads text again
  does it (the explained texts, segments, new texts placed on a run's scale, the ingest check
  for markup-only reviews).
"""

from sentclust.prepare.text import clean_text, tokenize_many

__all__ = ["clean_text", "tokenize_many"]
