"""Judging, on the trusted side: references, comparison, diagnoses and feedback, run as pytest items.

Nothing here runs learner code; answers arrive as untrusted bytes decoded by :mod:`.judge`."""
