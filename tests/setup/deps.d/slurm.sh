#!/usr/bin/env bash
# SLURM for tests/workflow/test_slurm_workflow.py: a one-node cluster (controller, node daemon,
# client commands) and munge, its authentication service. tests/slurm/cluster.py starts them.
PACKAGES="slurmctld slurmd slurm-client munge"
if [[ "${1:-}" == "missing" ]]; then
    for p in $PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || printf '%s ' "$p"; done
fi
