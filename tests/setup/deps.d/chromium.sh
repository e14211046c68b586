#!/usr/bin/env bash
# Headless Chromium for tests/workflow/test_report_workflow.py: it opens the HTML report, checks the
# browser's console and images and takes a screenshot, over the DevTools protocol (no driver needed).
PACKAGES="chromium"
if [[ "${1:-}" == "missing" ]]; then
    for p in $PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || printf '%s ' "$p"; done
fi
