"""Answers are untrusted: judging never faults on them, and what they say reaches no report raw.

Attack class 6 of the threat model: meta tensors as the inputs after the call, a 40 MB error
text, ANSI escapes painting a fake total. Each is graded with the scan and without it, and
every report format is rendered from the result.
"""
from __future__ import annotations

import unicodedata

import pytest

from grader.judging import untrusted
from grader.reports import FORMATS
from grader.results import DayResult
from test_exploits import assert_zero, attack, grade_both  # noqa: F401 - fixtures

pytestmark = pytest.mark.attack


def reports(exercise) -> dict:
    day = DayResult("day3", "Day 3", "submission", "cpu", [exercise])
    return {name: render(day) for name, render in FORMATS.items()}


def test_meta_tensors_as_inputs_after_the_call_fail_the_case_not_the_grader(grade_both):
    for result in grade_both("meta_inputs_after"):
        assert_zero(result, "failed")
        assert all(not c.passed for c in result.cases)
        assert "could not be checked" in result.feedback or "changed" in result.feedback, result.feedback


def test_ansi_escapes_in_an_error_reach_no_report(grade_both):
    for result in grade_both("ansi_escape_message"):
        assert_zero(result, "failed")
        assert "\\x1b[2J" in result.feedback and "\x1b" not in result.feedback
        for name, text in reports(result).items():
            assert not any(ch in text for ch in "\x1b\r\x07\u202e"), name
            assert "\\x1b[32mTotal: 22 / 22" in text.replace("\\\\", "\\"), name


def test_escapes_a_case_printed_reach_no_report(grade_both):
    for result in grade_both("prints_escapes"):
        assert_zero(result, "failed")
        assert all("\\x1b[2J" in case.output and "\\u202e" in case.output for case in result.cases)
        for name, text in reports(result).items():
            assert not any(ch in text for ch in "\x1b\r\x07\u202e"), name


def test_a_40_megabyte_message_yields_a_bounded_report(grade_both):
    for result in grade_both("huge_message"):
        assert_zero(result, "failed")
        for name, text in reports(result).items():
            # every case's message is cut to a few KB, so the exercise's share stays far below 40 MB
            assert len(text) < 200 * len(result.cases) * 100, name
            assert "\x1b" not in text, name
        assert len(reports(result)["json"]) < 2_000_000


def test_a_message_the_worker_did_not_cut_is_cut_by_the_grader(grade_both):
    static, runtime = grade_both("sends_long_message")
    assert_zero(static, "forbidden")
    assert_zero(runtime, "failed")
    assert "more characters cut" in runtime.feedback and "\x1b" not in runtime.feedback
    assert len(reports(runtime)["json"]) < 2_000_000


def test_a_hostile_quiz_answer_is_cut_and_escaped(tmp_path):
    from grader.course import quiz
    from grader.course.manifest import Course

    day_quiz = quiz.load(Course.locate().load_day("day3").quiz_path)
    choice = next(q for q in day_quiz.questions if q.type == "choice")
    path = tmp_path / "quiz_answers.yaml"
    path.write_text(f'{choice.id}: "\\e[2J{"z" * 1_000_000}"\n')
    section = quiz.grade_answers(day_quiz, path)
    (message,) = [q["message"] for q in section["questions"] if q["id"] == choice.id]
    assert "\x1b" not in message and "\\x1b" in message and len(message) < 1000


def test_unknown_quiz_ids_are_escaped_and_bounded_however_many(tmp_path):
    from grader.course import quiz
    from grader.course.manifest import Course

    day_quiz = quiz.load(Course.locate().load_day("day3").quiz_path)
    path = tmp_path / "quiz_answers.yaml"
    keys = ['"\\e[31m\\u202e{}": a'.format("k" * 1000)] + [f"k{i}: a" for i in range(20_000)]
    path.write_text("\n".join(keys) + "\n")
    message = quiz.grade_answers(day_quiz, path)["message"]
    assert "\x1b" not in message and "\u202e" not in message and "\\x1b" in message
    assert "unknown question id" in message and "20001" in message and len(message) < 2000


def test_an_answers_file_that_is_a_folder_or_not_utf8_is_an_error_saying_so(tmp_path):
    from grader.course import quiz
    from grader.course.manifest import Course

    day_quiz = quiz.load(Course.locate().load_day("day3").quiz_path)
    folder = tmp_path / "folder" / "quiz_answers.yaml"
    folder.mkdir(parents=True)
    latin1 = tmp_path / "quiz_answers.yaml"
    latin1.write_bytes("ce_raw_logits: b  # réponse\n".encode("latin-1"))
    for path, said in ((folder, "is a folder"), (latin1, "not UTF-8 text")):
        section = quiz.grade_answers(day_quiz, path)
        assert section["status"] == "error" and said in section["message"], section["message"]


def test_lone_surrogates_in_an_error_are_escaped_so_every_report_encodes(grade_both):
    for result in grade_both("surrogate_message"):
        assert_zero(result, "failed")
        assert "\\ud800" in result.feedback and "\\udfff" in result.feedback
        for name, text in reports(result).items():
            text.encode("utf-8")  # a lone surrogate here was an internal error writing the report


INVISIBLE = "\u200e\u200f\u061c\u200b\u200d\u2060\u2064\ufeff\ufff9\U000e0041\U000e007f\u2028\u2029\u0085"


def test_every_invisible_or_direction_changing_character_is_escaped_and_text_is_kept():
    """Marks and zero-width characters a terminal draws as nothing could hide or reorder what a
    report says; the tag block can carry a whole hidden sentence."""
    shown = untrusted.text(f"got {INVISIBLE} né 中 ✓\tend\n")
    assert not any(ch in shown for ch in INVISIBLE)
    assert shown.startswith("got \\u200e\\u200f\\u061c") and "\\U000e0041" in shown
    assert shown.endswith(" né 中 ✓\tend\n")
    assert all(unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp") for ch in shown if ch not in "\t\n")
