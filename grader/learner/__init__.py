"""The learner's loop around grading: progress per exercise, progressive hints, and watch mode."""
