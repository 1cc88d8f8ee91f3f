"""A course secret makes hidden cases and quiz keys worthless to copy, and grades stay repeatable.

Attack class 7 of the threat model: hidden-case inputs derived from public case ids let anyone
build a table of torch's outputs offline. With a secret (``GRADER_SECRET`` or the pack's
``secret`` file) hidden inputs are keyed with it, public ones are not, and the same secret
always gives the same cases and the same grade. A quiz key built with the secret verifies
nothing without it.
"""
from __future__ import annotations

import dataclasses

import pytest
import yaml

from classroom import make_pack
from paths import SOLUTIONS
from grader.course import casegen, quiz, quizbuild
from grader.course.manifest import Course
from grader.course.secret import SECRET_ENV
from grader.engine import Grader
from grader.errors import CourseError
from grader.sandbox import Limits

pytestmark = pytest.mark.attack

# Off by 1% everywhere: every hidden case fails with numbers that depend on its inputs.
SLIGHTLY_WRONG = "def mse_loss(input, target, reduction='mean', weight=None):\n" \
                 "    loss = (input - target) ** 2 * 1.01\n" \
                 "    return loss if reduction == 'none' else loss.sum() if reduction == 'sum' else loss.mean()\n"


def day_with(pack, monkeypatch, secret: str | None):
    if secret is None:
        monkeypatch.delenv(SECRET_ENV, raising=False)
    else:
        monkeypatch.setenv(SECRET_ENV, secret)
    return Course.locate(pack).load_day("day3")


def inputs(day) -> dict:
    """{case id: (public, [input tensors])} for mse_loss, as the grader would generate them."""
    cases = casegen.expand(day.exercise("mse_loss"), day.secret)
    return {c.id: (c.public, [a["value"] for a in c.args if a["kind"] == "tensor"]) for c in cases}


def same(a, b) -> bool:
    return len(a) == len(b) and all(x.shape == y.shape and bool((x == y).all()) for x, y in zip(a, b))


def test_hidden_inputs_are_keyed_with_the_secret_and_public_ones_are_not(tmp_path, monkeypatch):
    pack = make_pack(tmp_path)
    public_pack, one, again, other = (inputs(day_with(pack, monkeypatch, s)) for s in (None, "s1", "s1", "s2"))
    assert public_pack.keys() == one.keys() and {p for p, _ in one.values()} == {True, False}
    for case_id, (public, tensors) in one.items():
        assert same(tensors, again[case_id][1])  # the same secret: the same cases
        if public:
            assert same(tensors, public_pack[case_id][1]) and same(tensors, other[case_id][1])
        else:  # an offline table built from the public pack (or another secret) never hits
            known = [t for _, ts in list(public_pack.values()) + list(other.values()) for t in ts]
            assert not any(same([x], [y]) for x in tensors for y in known)


def test_the_same_secret_always_gives_the_same_grade(tmp_path, monkeypatch, grader):
    pack = make_pack(tmp_path)
    submission = tmp_path / "submission"
    (submission / "day3").mkdir(parents=True)
    (submission / "day3" / "mse_loss.py").write_text(SLIGHTLY_WRONG)

    def graded(secret):
        day = day_with(pack, monkeypatch, secret)
        result = Grader(day, "cpu", Limits(timeout=5.0), pool=grader._pool).grade(submission, ["mse_loss"])
        return [(c.id, c.passed, c.message) for c in result.exercises[0].cases]

    first, second, other = graded("s1"), graded("s1"), graded("s2")
    assert first == second
    assert first != other  # the hidden cases' numbers differ with the secret


def test_a_secret_file_in_the_pack_is_used_only_when_trusted(tmp_path, monkeypatch):
    pack = make_pack(tmp_path)
    (pack / "secret").write_text("from-the-file\n")
    (pack / "secret").chmod(0o600)
    assert day_with(pack, monkeypatch, None).secret == b"from-the-file"
    assert day_with(pack, monkeypatch, "from-env").secret == b"from-env"  # the environment wins
    (pack / "secret").chmod(0o620)
    with pytest.raises(CourseError, match="secret: not used as the pack's secret: .* group- or world-writable"):
        day_with(pack, monkeypatch, None)
    (pack / "secret").chmod(0o644)  # others may read it: a job under another uid, without Landlock
    with pytest.raises(CourseError, match=r"readable by its owner alone \(chmod 600 "):
        day_with(pack, monkeypatch, None)


def test_a_keyed_quiz_key_is_useless_without_its_secret(tmp_path):
    key = SOLUTIONS / "day3" / "quiz_key.yaml"
    title, questions = quizbuild.load_key(key)
    built = tmp_path / "day3" / "quiz.yaml"
    built.parent.mkdir()
    built.write_text(quizbuild.render_quiz(title, questions, "salt", b"course secret"))
    assert yaml.safe_load(built.read_text())["keyed"] is True
    with pytest.raises(CourseError, match="keyed with the course secret"):
        quiz.load(built)
    keyed = quiz.load(built, b"course secret")
    wrong = dataclasses.replace(keyed, secret=b"a guess")  # loading refuses a guess; a copier would not ask
    assert quizbuild.mismatches(key, keyed) == []  # every key answer verifies with the secret
    for question, plain in zip(keyed.questions, questions):
        answer = plain["answer"]
        assert quiz.verify(keyed, question, answer).correct
        assert not quiz.verify(wrong, wrong.question(question.id), answer).correct


def test_a_keyed_quiz_is_scored_by_list_and_asked_by_quiz_with_its_secret(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from grader.cli import main

    pack = make_pack(tmp_path, quiz=True)
    title, questions = quizbuild.load_key(SOLUTIONS / "day3" / "quiz_key.yaml")
    (pack / "day3" / "quiz.yaml").write_text(quizbuild.render_quiz(title, questions, "salt", b"course secret"))
    monkeypatch.setenv(SECRET_ENV, "course secret")
    work = tmp_path / "work" / "day3"
    work.mkdir(parents=True)
    (work / "quiz_answers.yaml").write_bytes((SOLUTIONS / "day3" / "quiz_answers.yaml").read_bytes())
    listed = CliRunner().invoke(main, ["list", "day3", "-s", str(work.parent), "--course", str(pack)])
    assert listed.exit_code == 0, listed.output
    assert "quiz" in listed.output and "passing" in listed.output.split("quiz", 1)[1].splitlines()[0]
    (work / "quiz_answers.yaml").unlink()
    first = questions[0]
    asked = CliRunner().invoke(main, ["quiz", "day3", "-s", str(work.parent), "--course", str(pack)],
                               input=f"{first['answer']}\n" + "\n" * (len(questions) - 1))
    assert asked.exit_code == 0, asked.output
    assert "✓ correct" in asked.output


def test_a_keyed_quiz_refuses_another_secret_in_one_line(tmp_path):
    """Another secret used to verify every answer as wrong: a whole class's quiz at zero, silently."""
    title, questions = quizbuild.load_key(SOLUTIONS / "day3" / "quiz_key.yaml")
    built = tmp_path / "day3" / "quiz.yaml"
    built.parent.mkdir()
    built.write_text(quizbuild.render_quiz(title, questions, "salt", b"course secret"))
    assert quiz.load(built, b"course secret").questions
    with pytest.raises(CourseError, match=r"quiz.yaml:\d+: this quiz was keyed with another course secret"):
        quiz.load(built, b"another secret")
