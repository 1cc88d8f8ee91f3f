"""Report formats: each module renders a DayResult to text for one audience."""
from . import json_report, text

FORMATS = {"text": text.render, "json": json_report.render}
