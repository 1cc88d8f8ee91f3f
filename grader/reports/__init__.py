"""Report formats: each module renders a DayResult to text for one audience."""
from . import github, gradescope, json_report, junit, text

FORMATS = {"text": text.render, "json": json_report.render, "junit": junit.render, "gradescope": gradescope.render,
           "github": github.render}
