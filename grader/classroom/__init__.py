"""Grading a whole class: rosters and shards, batch runs, gradebooks and their merge."""
