"""Helpers the machine-readable report formats share."""
from __future__ import annotations

import re

# Characters XML 1.0 cannot hold at all; learner output may contain any byte.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def case_title(case, hidden_index: int) -> str:
    """A case's name as reports show it: hidden cases by their kind only, never their parameters."""
    return case.name if case.public else f"hidden case {hidden_index}: {case.kind}"


def titled_cases(exercise):
    """(title, case) for every case of ``exercise``, hidden ones numbered per exercise."""
    hidden = 0
    for case in exercise.cases:
        if not case.public:
            hidden += 1
        yield case_title(case, hidden), case
