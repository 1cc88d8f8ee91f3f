"""Grading a whole class: rosters and shards, batch runs, gradebooks and their merge, LMS and CI output.

The Python API is :func:`grader.classroom.batch.grade_class` (what ``grade batch`` runs, with
callables for its messages and progress) and :func:`grader.classroom.merge.merge`; the click
commands only parse options and call them.
"""
