"""Library code of the sentiment-clustering workflow.

Rule scripts in ``workflow_scripts/`` stay thin: they read ``snakemake.input`` and
``snakemake.params``, call functions from this package and write ``snakemake.output``.
Tests import these functions directly.
"""
