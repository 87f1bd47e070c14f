"""Codemods for `offramp fix --to PROVIDER`: planner (facts -> edits), apply (LibCST), runner (files)."""
