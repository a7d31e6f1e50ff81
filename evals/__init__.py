"""Debrief's quality harness. `make eval` runs every suite and writes evals/reports/."""
