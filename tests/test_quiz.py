"""Quizzes: the shipped key matches the authors' plain key without revealing it; answers are scored."""
import json

import pytest
import yaml
from click.testing import CliRunner

from grader.course import quiz, quizbuild
from grader.cli import main
from grader.course.manifest import Course
from grader.errors import CourseError

from paths import EXERCISES, SOLUTIONS

KEY = SOLUTIONS / "day3" / "quiz_key.yaml"


@pytest.fixture(scope="module")
def day3_quiz():
    return quiz.load(Course.locate().load_day("day3").quiz_path)


@pytest.fixture(scope="module")
def plain():
    return {q["id"]: q for q in yaml.safe_load(KEY.read_text())["questions"]}


def test_shipped_quiz_and_template_are_built_from_the_plain_key(day3_quiz):
    assert quizbuild.mismatches(KEY, day3_quiz) == []
    for path, text in quizbuild.plan(KEY, day3_quiz.path, EXERCISES / "day3" / "quiz_answers.yaml"):
        assert path.read_text() == text, f"{path} is stale: run grade quiz-key"


def test_day3_quiz_covers_every_question_type(day3_quiz):
    assert len(day3_quiz.questions) >= 12
    assert {q.type for q in day3_quiz.questions} == set(quiz.TYPES)


def test_plain_key_never_ships(day3_quiz, plain):
    shipped = day3_quiz.path.read_text()
    assert "answer:" not in shipped
    for q in plain.values():
        assert q["explanation"].strip()[:40] not in shipped
    assert not (day3_quiz.path.parent / "quiz_key.yaml").exists()


def test_key_answers_verify_and_unlock_explanations_wrong_ones_do_not(day3_quiz, plain):
    for q in day3_quiz.questions:
        answer = plain[q.id]["answer"]
        first = answer[0] if q.type == "exact" and isinstance(answer, list) else answer
        verdict = quiz.verify(day3_quiz, q, first)
        assert verdict.correct and verdict.explanation.strip() == plain[q.id]["explanation"].strip()
        if q.type == "choice":
            assert [x for x in q.letters if quiz.verify(day3_quiz, q, x).correct] == [answer]
        if q.type == "numeric":
            assert quiz.verify(day3_quiz, q, answer + 0.9 * q.tolerance).correct
            assert quiz.verify(day3_quiz, q, answer - 0.9 * q.tolerance).correct
            assert not quiz.verify(day3_quiz, q, answer + 3.1 * q.tolerance).correct


def test_numeric_scheme_accepts_within_tolerance_everywhere():
    for truth in (0.0, 0.35667, -2.5, 13.0, 1e3 + 0.123):
        built = _one_question_quiz({"id": "n", "type": "numeric", "tolerance": 0.01, "answer": truth})
        for offset in (-0.0099, -0.005, 0.0, 0.005, 0.0099):
            assert quiz.verify(built, built.questions[0], truth + offset).correct
        for offset in (-0.031, 0.031, 1.0):
            assert not quiz.verify(built, built.questions[0], truth + offset).correct


@pytest.mark.parametrize("answer, said", [("abc", "expected a number, got 'abc'"), (True, "expected a number, got True"),
                                          (float("nan"), "expected a finite number"), ("1e400", "expected a finite number")])
def test_an_unusable_numeric_key_answer_is_a_course_error_naming_its_line(answer, said):
    with pytest.raises(CourseError, match=r"quiz_key\.yaml:\d+: question 'n': the key's answer is unusable: ") as raised:
        _one_question_quiz({"id": "n", "type": "numeric", "tolerance": 0.01, "answer": answer})
    assert said in str(raised.value)


def _one_question_quiz(fields, tmp=None):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp()) / "dayx"
    folder.mkdir()
    key = folder / "quiz_key.yaml"
    key.write_text(yaml.safe_dump({"questions": [{"prompt": "?", "explanation": "because", **fields}]}))
    title, questions = quizbuild.load_key(key)
    (folder / "quiz.yaml").write_text(quizbuild.render_quiz(title, questions, "salt"))
    return quiz.load(folder / "quiz.yaml")


def test_answers_file_scoring_and_clear_messages(day3_quiz, plain, tmp_path):
    path = tmp_path / "quiz_answers.yaml"
    section = quiz.grade_answers(day3_quiz, path)
    assert (section["status"], section["score"], section["max_score"]) == ("missing", 0.0, day3_quiz.max_score)

    path.write_text("ce_raw_logits: b\nkl_one_hot: 0.357\nkl_div_call: z\noutliers: a, b, c\nmse_sum: 4.33\nbogus: 1\n")
    section = quiz.grade_answers(day3_quiz, path)
    status = {q["id"]: q["status"] for q in section["questions"]}
    assert status["ce_raw_logits"] == status["kl_one_hot"] == status["outliers"] == "correct"
    assert status["kl_div_call"] == "invalid" and status["mse_sum"] == "wrong" and status["huber_value"] == "unanswered"
    assert "question 'kl_div_call'" in section["message"] and "'bogus'" in section["message"]
    assert section["score"] == 6 and section["status"] == "failed"
    assert not any("explanation" in q for q in section["questions"])

    path.write_text("ce_raw_logits: [b\n")
    section = quiz.grade_answers(day3_quiz, path)
    assert section["status"] == "error" and "quiz_answers.yaml:" in section["message"]


@pytest.mark.parametrize("value", ["2001-13-45", "1" * 5000])
def test_an_answer_yaml_cannot_build_is_that_quiz_error_not_a_crash(day3_quiz, tmp_path, value):
    """A date in month 13 or an int past Python's digit limit raised out of the YAML loader: one
    student's file stopped `grade batch` for the whole class."""
    path = tmp_path / "quiz_answers.yaml"
    path.write_text(f"ce_raw_logits: {value}\nkl_div_call: b\n")
    section = quiz.grade_answers(day3_quiz, path)
    assert section["status"] == "error" and section["score"] == 0
    assert "a value cannot be read (ValueError): quote answers" in section["message"]


def test_shipped_template_scores_zero_but_parses(day3_quiz):
    section = quiz.grade_answers(day3_quiz, EXERCISES / "day3" / "quiz_answers.yaml")
    assert section["score"] == 0 and {q["status"] for q in section["questions"]} == {"unanswered"}


def test_interactive_quiz_records_checks_and_explains(tmp_path, plain):
    (tmp_path / "day3").mkdir()
    # right, wrong, unreadable then right, then skip the rest with Enter
    typed = "b\n0.5\nq\nb\n" + "\n" * 20
    out = CliRunner().invoke(main, ["quiz", "day3", "-s", str(tmp_path)], input=typed)
    assert out.exit_code == 0, out.output
    assert "✓ correct (+2)" in out.output and plain["ce_raw_logits"]["explanation"].split("\n")[0] in out.output
    assert "✗ not correct" in out.output and plain["kl_one_hot"]["hint"] in out.output
    assert "expected one letter, a-d, got 'q'" in out.output
    assert "Quiz score: 4 /" in out.output
    saved = yaml.safe_load((tmp_path / "day3" / "quiz_answers.yaml").read_text())
    assert saved["ce_raw_logits"] == "b" and saved["kl_one_hot"] == 0.5 and saved["kl_div_call"] == "b"
    again = CliRunner().invoke(main, ["quiz", "day3", "-s", str(tmp_path)], input="\n" * 20)
    assert "ce_raw_logits: already answered correctly" in again.output


def test_ending_the_quiz_at_a_prompt_keeps_the_answers_and_is_no_error(tmp_path):
    (tmp_path / "day3").mkdir()
    out = CliRunner().invoke(main, ["quiz", "day3", "-s", str(tmp_path)], input="b\n")  # then end of input
    assert f"`grade quiz day3 --submission {tmp_path}` goes on from there" in out.output, out.output
    assert out.exit_code == 0 and "Aborted" not in out.output, out.output
    assert "stopped: your answers so far are saved" in out.output and "Quiz score: 2 /" in out.output
    assert yaml.safe_load((tmp_path / "day3" / "quiz_answers.yaml").read_text())["ce_raw_logits"] == "b"


def test_interactive_quiz_refuses_a_folder_in_place_of_the_answers_file(tmp_path):
    (tmp_path / "day3" / "quiz_answers.yaml").mkdir(parents=True)
    out = CliRunner().invoke(main, ["quiz", "day3", "-s", str(tmp_path)], input="b\n" * 20)
    assert out.exit_code == 2 and "quiz_answers.yaml is a folder" in out.output, out.output


def test_grade_counts_the_quiz_in_the_total_and_json(tmp_path):
    (tmp_path / "day3").mkdir()
    (tmp_path / "day3" / "quiz_answers.yaml").write_text("ce_raw_logits: b\nkl_div_call: a\n")
    out = CliRunner().invoke(main, ["day3", "-s", str(tmp_path), "--format", "json"])
    report = json.loads(out.output)
    assert report["quiz"]["score"] == 2 and report["quiz"]["status"] == "failed"
    assert report["score"] == 2
    assert report["max_score"] == sum(e["max_score"] for e in report["exercises"]) + report["quiz"]["max_score"]
    text = CliRunner().invoke(main, ["day3", "-s", str(tmp_path)]).output
    assert "quiz" in text and "not correct: kl_div_call" in text
    assert f"not answered yet: {len(report['quiz']['questions']) - 2} of {len(report['quiz']['questions'])}" in text
    # Answers are kept per submission folder: the command suggested must name the same one.
    assert f"(grade quiz day3 --submission {tmp_path} to try again)" in text
    assert f"(grade quiz day3 --submission {tmp_path} asks them)" in text


def test_the_answers_template_rewraps_prompts_written_wrapped_and_keeps_code_as_it_is(day3_quiz):
    """A key's prompt comes wrapped at about 95 columns; wrapping each of its lines again at 92 left
    single words on lines of their own."""
    text = quiz.render_answers(day3_quiz, {})
    for number, q in enumerate(day3_quiz.questions, 1):
        block = text.split(f"# {number}. ", 1)[1].split("\n#    answer:", 1)[0]
        prompt = block.split("\n#    a) ", 1)[0].splitlines()
        assert all(len(line) <= 96 for line in prompt), prompt
        if not any(line.startswith(" ") for line in q.prompt.splitlines()):  # prose only: no code
            assert " ".join(line.removeprefix("#    ") for line in prompt).split() == q.prompt.split()
            assert all(len(line.split()) > 3 for line in prompt[:-1]), prompt
    assert "#        predicted_probs = torch.rand(4, 3)" in text  # the lesson's code keeps its lines
