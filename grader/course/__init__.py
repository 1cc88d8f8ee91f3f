"""The course: day manifests and their YAML, case generation, the quiz, stub building and pack checks.

A day is data; this package turns a pack folder into validated specs, never into grading decisions."""
