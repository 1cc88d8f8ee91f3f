"""Results shown in a notebook: HTML in Jupyter, the text report anywhere else.

Every string that can carry learner-controlled text (feedback, printed output, case examples) is
clipped and passed through ``html.escape`` before it reaches the HTML; nothing is ever inserted
raw. A view is displayed once by the call that made it: the same cell's automatic display of its
return value is suppressed, so ``g.check(...)`` as the last line of a cell shows one result.
"""
from __future__ import annotations

from collections import Counter
from html import escape

from ..reports import text

CLIP = 4000
_COLOUR = {"passed": "#2e7d32", "failed": "#c62828", "error": "#c62828", "crashed": "#c62828",
           "timeout": "#ef6c00", "forbidden": "#6a1b9a", "missing": "#757575"}
_BOX = "font-family:sans-serif;border:1px solid #ccc;border-radius:4px;padding:8px 12px;margin:4px 0;max-width:60em"


def _clip(value, limit: int = CLIP) -> str:
    value = str(value)
    return value if len(value) <= limit else value[:limit] + " [...]"


def _e(value, limit: int = CLIP) -> str:
    return escape(_clip(value, limit))


def _bar(score: float, max_score: float) -> str:
    share = max(0.0, min(1.0, score / max_score)) if max_score else 0.0
    colour = "#2e7d32" if share == 1 else "#f9a825" if share else "#c62828"
    return (f'<div style="background:#eee;height:8px;border-radius:4px;margin:4px 0">'
            f'<div style="background:{colour};width:{share * 100:.1f}%;height:8px;border-radius:4px"></div></div>')


class _Shown:
    """Display once: the cell that displayed a view does not display it again as its value."""

    _shown_in = None

    def show(self):
        from IPython.display import display

        from .kernel import ipython

        display(self)
        self._shown_in = ipython().execution_count
        return self

    def _ipython_display_(self):
        from IPython.display import display

        from .kernel import ipython

        if self._shown_in is not None and self._shown_in == ipython().execution_count:
            self._shown_in = None
            return
        display({"text/html": self._repr_html_(), "text/plain": repr(self)}, raw=True)

    def __repr__(self) -> str:
        return self.text().rstrip("\n")


class ExerciseView(_Shown):
    """One exercise's result: ``score``, ``max_score``, ``status`` and the full ``result``."""

    def __init__(self, result, day: str):
        self.result, self.day = result, day
        self.name, self.score, self.max_score, self.status = result.name, result.score, result.max_score, result.status

    def text(self) -> str:
        return "\n".join(text.exercise_lines(self.result, len(self.name))) + "\n"

    def _repr_html_(self) -> str:
        ex = self.result
        counted = f" ({ex.passed_cases}/{len(ex.cases)} cases)" if ex.cases else ""
        parts = [f'<div style="{_BOX}"><b>{_e(ex.name)}</b> &nbsp; {ex.score:.2f} / {ex.max_score:g} &nbsp; '
                 f'<span style="color:{_COLOUR.get(ex.status, "#000")};font-weight:bold">{_e(ex.status)}</span>'
                 f'{counted}', _bar(ex.score, ex.max_score)]
        if ex.status != "passed":
            parts.extend(self._explain(ex))
        return "".join(parts) + "</div>"

    def _explain(self, ex) -> list[str]:
        failing = [c for c in ex.cases if not c.passed]
        first = next((c for c in failing if c.public and c.example), failing[0] if failing else None)
        parts = []
        if first is None or ex.feedback.startswith("not started"):  # every case raised NotImplementedError
            parts.append(f'<pre style="white-space:pre-wrap">{_e(ex.feedback)}</pre>')
        else:
            where = "public" if first.public else "hidden"
            parts.append(f"<div>First failing case ({where}): <b>{_e(first.name, 300)}</b>: {_e(first.message, 1000)}</div>")
            if first.example:  # public cases only: inputs, the call, your output next to the expected one
                parts.append(f'<pre style="background:#f7f7f7;padding:6px;white-space:pre-wrap">{_e(first.example)}</pre>')
            kinds = Counter(c.kind for c in failing)
            items = "".join(f"<li>{_e(kind, 200)}: {count} case{'s' if count > 1 else ''}</li>"
                            for kind, count in kinds.most_common(8))
            parts.append(f"<div>Failing kinds:</div><ul style='margin:2px 0'>{items}</ul>")
            if first.hint:
                parts.append(f"<div><b>Hint:</b> {_e(first.hint, 1000)}</div>")
            notes = [line for line in ex.feedback.splitlines() if line.startswith("note: ")]
            parts.extend(f"<div style='color:#757575'>{_e(n, 300)}</div>" for n in notes)
        if ex.output.strip():
            parts.append(f"<div>Your code printed:</div><pre style='white-space:pre-wrap'>{_e(ex.output, 1000)}</pre>")
        parts.append(f"<div style='color:#757575'>More help: <code>g.hint({self.day!r}, {ex.name!r})</code></div>")
        return parts


class DayView(_Shown):
    """A whole day: every exercise and the quiz, as ``grade DAY`` reports it."""

    def __init__(self, result):
        self.result = result
        self.score, self.max_score = result.score, result.max_score
        self.exercises = [ExerciseView(e, result.day) for e in result.exercises]

    def text(self) -> str:
        return text.render(self.result)

    def _repr_html_(self) -> str:
        r = self.result
        rows = [self._row(e.name, e.score, e.max_score, e.status, e.feedback.splitlines()[0] if e.status != "passed"
                          and e.feedback else "") for e in r.exercises]
        if r.quiz:
            rows.append(self._row("quiz", r.quiz.get("score", 0), r.quiz.get("max_score", 0), r.quiz.get("status", ""),
                                  r.quiz.get("message", "")))
        return (f'<div style="{_BOX}"><b>{_e(r.title)}</b>: {r.score:g} / {r.max_score:g} ({r.percent:.1f}%)'
                f'{_bar(r.score, r.max_score)}<table style="border-collapse:collapse">{"".join(rows)}</table></div>')

    @staticmethod
    def _row(name, score, max_score, status, note) -> str:
        colour = _COLOUR.get(status, "#000")
        return (f"<tr><td style='padding:1px 8px'>{_e(name)}</td><td style='padding:1px 8px'>{score:.2f}/{max_score:g}</td>"
                f"<td style='padding:1px 8px;color:{colour}'>{_e(status)}</td>"
                f"<td style='padding:1px 8px;color:#555'>{_e(note, 200)}</td></tr>")
