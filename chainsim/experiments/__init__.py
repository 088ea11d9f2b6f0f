"""Experiment tooling: replication statistics and parallel executors."""
