"""Day quizzes: load a quiz, check a learner's answers against a hashed key, and score them.

A shipped ``quiz.yaml`` holds questions but no plain answers. For every accepted answer it
stores ``check`` = SHA-256 of a PBKDF2 digest of the answer in canonical form (salted with the
quiz salt and the question id), and ``wrap`` = the question's explanation key XOR-ed with another
digest of the same answer. A correct answer therefore both verifies and unlocks the explanation;
the explanation (which usually states the answer) is stored encrypted. A learner who wants the
key must guess answers, as with any offline quiz; for a choice question that is few guesses, so
the scheme protects against reading the key, not against brute force. A quiz built with the
course secret (``keyed: true``) applies HMAC with that secret to every digest: without the secret
its key cannot even be brute-forced, so a copied key is useless. Its ``secret_mark`` (an HMAC of
the salt) lets loading refuse another secret instead of marking every answer wrong.

Canonical forms: a choice is its letter ('b'); a multiple selection is the sorted letters joined
by commas ('a,c'); a short answer is lower-cased with whitespace collapsed; a number is the index
of its bin of width ``2 * tolerance``. A number is checked against the two bins around it, so an
answer within ``tolerance`` of the truth is always accepted and one beyond ``3 * tolerance``
never is.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import math
import string
from dataclasses import dataclass, field
from pathlib import Path

from . import secret as course_secret, yamlfile
from ..judging import untrusted
from ..errors import CourseError

TYPES = ("choice", "multi", "numeric", "exact")
ITERATIONS = 20_000
LETTERS = string.ascii_lowercase
ANSWERS_FILE = "quiz_answers.yaml"
MAX_ANSWERS_BYTES = 1 << 20


class AnswerError(ValueError):
    """An answer that cannot be read (not a choice, not a number...): the message says why."""


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: str
    points: float
    choices: tuple = ()
    tolerance: float = 0.0
    hint: str = ""  # shown after a wrong answer; must not give the answer away
    keys: tuple = ()  # ({"check": hex, "wrap": hex}, ...): one per accepted answer
    explanation: str = ""  # base64 ciphertext
    where: str = ""

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.choices)]

    def answer_format(self) -> str:
        if self.type == "choice":
            return f"one letter, {self.letters[0]}-{self.letters[-1]}"
        if self.type == "multi":
            return f"every letter that applies, {self.letters[0]}-{self.letters[-1]}, e.g. a,c"
        if self.type == "numeric":
            return f"a number (accepted within {self.tolerance:g})"
        return "a short answer (case and spacing do not matter)"


@dataclass(frozen=True)
class Quiz:
    title: str
    salt: str
    questions: tuple
    path: Path
    secret: bytes | None = field(default=None, repr=False)  # only for a keyed quiz

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)


# --- canonical forms -------------------------------------------------------------------------

def normalise_text(text: str) -> str:
    return " ".join(str(text).lower().split())


def numeric_bin(value: float, tolerance: float) -> int:
    return math.floor(value / (2 * tolerance))


def candidates(question: Question, raw) -> list[str]:
    """The canonical forms a learner's raw answer may take; AnswerError if it cannot be read."""
    if question.type == "choice":
        letter = str(raw).strip().lower() if isinstance(raw, str) else None
        if letter is None or len(letter) != 1 or letter not in question.letters:
            raise AnswerError(f"expected {question.answer_format()}, got {raw!r}")
        return [letter]
    if question.type == "multi":
        picked = _letters(raw)
        bad = [p for p in picked if p not in question.letters]
        if not picked or bad:
            raise AnswerError(f"expected {question.answer_format()}, got {raw!r}")
        return [",".join(sorted(set(picked)))]
    if question.type == "numeric":
        value = _number(raw)
        low = numeric_bin(value, question.tolerance)
        return [str(low), str(low + 1)]
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool) or not normalise_text(raw):
        raise AnswerError(f"expected {question.answer_format()}, got {raw!r}")
    return [normalise_text(raw)]


def from_text(question: Question, text: str):
    """A typed answer as it is stored in the answers file (a letter, letters, a number, text)."""
    text = text.strip()
    if question.type == "multi":
        return _letters(text)
    if question.type == "numeric":
        return _number(text)
    return text.lower() if question.type == "choice" else text


def _letters(raw) -> list[str]:
    if isinstance(raw, str):
        raw = raw.replace(",", " ").split()
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        return []
    return [p.strip().lower() for p in raw]


def _number(raw) -> float:
    if isinstance(raw, bool):
        raise AnswerError(f"expected a number, got {raw!r}")
    try:
        value = float(raw)  # YAML 1.1 reads 3.5e-1 as a string: accept it
    except (TypeError, ValueError):
        raise AnswerError(f"expected a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise AnswerError(f"expected a finite number, got {raw!r}")
    return value


# --- hashing ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4096)  # stretched on purpose (5 ms); a batch sees the same answers again and again
def digest(salt: str, qid: str, canonical: str, secret: bytes | None = None) -> bytes:
    plain = hashlib.pbkdf2_hmac("sha256", canonical.encode(), f"{salt}:{qid}".encode(), ITERATIONS)
    return course_secret.keyed(secret, plain)


def secret_mark(salt: str, secret: bytes) -> str:
    """What a keyed quiz records of the secret it was built with, so another secret is named, not
    taken for every answer being wrong."""
    return course_secret.keyed(secret, hashlib.sha256(f"quiz secret:{salt}".encode()).digest()).hex()[:16]


def check_of(secret: bytes) -> str:
    return hashlib.sha256(b"check:" + secret).hexdigest()


def wrap_key(secret: bytes) -> bytes:
    return hashlib.sha256(b"wrap:" + secret).digest()


def xor(data: bytes, key: bytes) -> bytes:
    """XOR with a SHA-256 counter-mode stream of ``key`` (each question has its own key)."""
    stream = b"".join(hashlib.sha256(key + i.to_bytes(4, "big")).digest() for i in range(len(data) // 32 + 1))
    return bytes(a ^ b for a, b in zip(data, stream))


@dataclass
class Verdict:
    correct: bool
    explanation: str = ""  # decrypted, only when correct


def verify(quiz: Quiz, question: Question, raw) -> Verdict:
    """Is ``raw`` an accepted answer? Raises AnswerError if it cannot be read at all."""
    for canonical in candidates(question, raw):
        secret = digest(quiz.salt, question.id, canonical, quiz.secret)
        check = check_of(secret)
        for key in question.keys:
            if key["check"] == check:
                content = xor(bytes.fromhex(key["wrap"]), wrap_key(secret))
                text = xor(base64.b64decode(question.explanation), content).decode("utf-8", "replace")
                return Verdict(True, text)
    return Verdict(False)


# --- loading ---------------------------------------------------------------------------------

def _require(cond, where, message):
    if not cond:
        raise CourseError(f"{where}: {message}")


def load(path: Path, secret: bytes | None = None) -> Quiz:
    """The quiz at ``path``; a keyed one needs the course ``secret`` it was built with."""
    data = yamlfile.load(path)
    _require(isinstance(data, dict), str(path), "expected a mapping with 'salt' and 'questions'")
    loc = yamlfile.where(path, data)
    _require(isinstance(data.get("salt"), str) and data["salt"], loc,
             "'salt' is missing: build this file with `grade quiz-key` from the plain answer key")
    raw = data.get("questions")
    _require(isinstance(raw, list) and raw, loc, "'questions' must be a non-empty list")
    questions = tuple(_question(path, q) for q in raw)
    ids = [q.id for q in questions]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    _require(not dupes, loc, f"question id(s) used twice: {', '.join(dupes)}")
    keyed = data.get("keyed") is True
    _require(secret is not None or not keyed, loc, "this quiz's key is keyed with the course secret: "
             f"set {course_secret.SECRET_ENV} or give the pack its '{course_secret.SECRET_FILE}' file")
    mark = data.get("secret_mark")
    _require(not keyed or mark is None or hmac.compare_digest(str(mark), secret_mark(data["salt"], secret)), loc,
             "this quiz was keyed with another course secret than this one "
             f"({course_secret.SECRET_ENV} or the pack's '{course_secret.SECRET_FILE}' file): every answer would "
             "be marked wrong; use the secret `grade quiz-key` had, or rebuild the quiz with this one")
    return Quiz(str(data.get("title", path.parent.name + " quiz")), data["salt"], questions, path,
                secret if keyed else None)


_QUESTION_KEYS = {"id", "type", "prompt", "points", "choices", "tolerance", "hint", "keys", "explanation"}


def _question(path: Path, raw) -> Question:
    loc = yamlfile.where(path, raw)
    base = read_question_fields(loc, raw, _QUESTION_KEYS)
    keys = raw.get("keys")
    _require(isinstance(keys, list) and keys and all(isinstance(k, dict) and isinstance(k.get("check"), str)
                                                    and isinstance(k.get("wrap"), str) for k in keys),
             loc, f"question '{base['id']}' has no answer key ('keys': list of check/wrap): it cannot be answered")
    _require(isinstance(raw.get("explanation"), str), loc, f"question '{base['id']}' has no 'explanation'")
    return Question(**base, keys=tuple(dict(k) for k in keys), explanation=raw["explanation"], where=loc)


def read_question_fields(loc: str, raw, allowed: set) -> dict:
    """The fields a quiz question shares with its plain-key source, validated."""
    _require(isinstance(raw, dict), loc, "each question must be a mapping")
    unknown = set(raw) - allowed
    _require(not unknown, loc, f"unknown key(s): {', '.join(sorted(unknown))}")
    qid = raw.get("id")
    _require(isinstance(qid, str) and qid.isidentifier(), loc, "each question needs an 'id' (letters, digits, _)")
    qtype = raw.get("type")
    _require(qtype in TYPES, loc, f"question '{qid}': 'type' must be one of {', '.join(TYPES)}")
    _require(isinstance(raw.get("prompt"), str) and raw["prompt"].strip(), loc, f"question '{qid}' needs a 'prompt'")
    points = raw.get("points", 1)
    _require(isinstance(points, (int, float)) and not isinstance(points, bool) and points > 0, loc,
             f"question '{qid}': 'points' must be a positive number")
    choices = raw.get("choices", [])
    if qtype in ("choice", "multi"):
        _require(isinstance(choices, list) and 2 <= len(choices) <= len(LETTERS)
                 and all(isinstance(c, str) and c.strip() for c in choices), loc,
                 f"question '{qid}': 'choices' must list at least two answers")
    else:
        _require(not choices, loc, f"question '{qid}': only choice and multi questions have 'choices'")
    tolerance = raw.get("tolerance", 0.0)
    if qtype == "numeric":
        _require(isinstance(tolerance, (int, float)) and tolerance > 0, loc,
                 f"question '{qid}': a numeric question needs a positive 'tolerance'")
    hint = raw.get("hint", "")
    _require(isinstance(hint, str), loc, f"question '{qid}': 'hint' must be text")
    return {"id": qid, "type": qtype, "prompt": raw["prompt"].strip(), "points": float(points),
            "choices": tuple(c.strip() for c in choices), "tolerance": float(tolerance or 0.0), "hint": hint.strip()}


# --- answers files and scoring ---------------------------------------------------------------

def answers_path(submission: Path, day: str) -> Path:
    return Path(submission) / day / ANSWERS_FILE


def read_answers(path: Path) -> dict:
    """The learner's answers {id: raw}; AnswerError naming the problem if the file is unusable."""
    import yaml

    from ..submission import files

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: as safe, 30 times faster
    try:  # a learner's file: never through a link, never unbounded (grader.submission.files)
        data = yaml.load(files.read_bytes(str(path), MAX_ANSWERS_BYTES, shown=str(path)).decode("utf-8"),
                         Loader=loader)
    except files.Refused as exc:
        raise AnswerError(str(exc)) from None
    except OSError as exc:
        raise AnswerError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise AnswerError(f"{path}: not UTF-8 text (byte {exc.start}): save it as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise AnswerError(f"{where}: not valid YAML ({getattr(exc, 'problem', None) or 'syntax error'})") from None
    except Exception as exc:  # noqa: BLE001 - a value YAML cannot build (a date in month 13, a 5,000-digit int)
        raise AnswerError(f"{path}: a value cannot be read ({type(exc).__name__}): quote answers that are "
                          "not plain letters or numbers") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AnswerError(f"{path}: expected 'question_id: answer' lines")
    return {str(k): v for k, v in data.items()}


@dataclass
class QuestionResult:
    id: str
    status: str  # correct, wrong, unanswered, invalid
    score: float
    max_score: float
    message: str = ""
    explanation: str = field(default="", repr=False)  # for the interactive quiz; not in reports


def grade_question(quiz: Quiz, question: Question, raw) -> QuestionResult:
    def result(status, score=0.0, message="", explanation=""):
        return QuestionResult(question.id, status, score, question.points, message, explanation)

    if raw is None or (isinstance(raw, (str, list)) and not raw):
        return result("unanswered")
    try:
        verdict = verify(quiz, question, raw)
    except AnswerError as exc:
        return result("invalid", message=f"question '{question.id}': {untrusted.text(exc, 300)}")
    if verdict.correct:
        return result("correct", question.points, explanation=verdict.explanation)
    return result("wrong", message=question.hint)


def grade_answers(quiz: Quiz, path: Path) -> dict:
    """The report's ``quiz`` section for the answers file at ``path`` (never raises for its content)."""
    # Every question is listed even when none was answered, so reports have the same tests each time.
    unanswered = [{"id": q.id, "status": "unanswered", "score": 0.0, "max_score": q.points, "message": ""}
                  for q in quiz.questions]
    section = {"score": 0.0, "max_score": quiz.max_score, "status": "missing", "message": "", "questions": unanswered}
    if not (path.exists() or path.is_symlink()):  # a folder or a link in its place is an error, said below
        section["message"] = f"not attempted: run `grade quiz {quiz.path.parent.name}` or fill in {path}"
        return section
    try:
        answers = read_answers(path)
    except AnswerError as exc:
        section.update(status="error", message=untrusted.text(exc, 300))
        return section
    known = {q.id for q in quiz.questions}
    unknown = sorted(set(answers) - known)
    results = [grade_question(quiz, q, answers.get(q.id)) for q in quiz.questions]
    problems = [r.message for r in results if r.status == "invalid"]
    if unknown:  # the learner's keys: a few shown, each cut and escaped, however many there are
        shown = ", ".join(f"'{untrusted.text(u, 40)}'" for u in unknown[:3])
        more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
        problems.append(f"{len(unknown)} unknown question id(s) in {path.name}: {shown}{more} "
                        f"(known: {', '.join(sorted(known))})")
    section.update(
        score=round(sum(r.score for r in results), 4),
        status="passed" if all(r.status == "correct" for r in results) else "failed",
        message="; ".join(problems),
        questions=[{"id": r.id, "status": r.status, "score": r.score, "max_score": r.max_score,
                    "message": r.message} for r in results],
    )
    return section


def for_day(day) -> Quiz | None:
    """A day's quiz, or None when it has none."""
    return load(day.quiz_path, day.secret) if day.quiz_path.is_file() else None


def section_for(day_quiz: Quiz | None, day_name: str, submission: Path) -> dict | None:
    """The ``quiz`` report section of a day for a submission; None when the day has no quiz."""
    if day_quiz is None:
        return None
    return grade_answers(day_quiz, answers_path(submission, day_name))


def _prose_lines(text: str, width: int) -> list[str]:
    """``text`` wrapped to ``width``, paragraph by paragraph: a paragraph's lines are joined first
    (a key's prompt comes wrapped already, at another width), and one with an indented line
    (code) is kept as it is."""
    import textwrap

    out = []
    for block in text.strip("\n").split("\n\n"):
        rows = block.splitlines()
        out += rows if any(row.startswith((" ", "\t")) for row in rows) else \
            textwrap.wrap(" ".join(rows), width, break_long_words=False, break_on_hyphens=False)
        out.append("")
    return out[:-1] or [""]


def render_answers(quiz: Quiz, answers: dict) -> str:
    """The answers file: each question in full (prompt and choices as comments, so it can be
    answered by hand), then its id and the answer, in quiz order."""
    import textwrap

    import yaml

    lines = [f"# {quiz.title} - your answers. Run `grade quiz {quiz.path.parent.name}` to answer interactively,",
             "# or write each answer after its id (leave it empty to skip). `grade` scores this file.", ""]
    for number, q in enumerate(quiz.questions, 1):
        prompt = _prose_lines(q.prompt, 92)
        lines.append(f"# {number}. {prompt[0]}")
        lines.extend(f"#    {line}".rstrip() for line in prompt[1:])
        for letter, choice in zip(q.letters, q.choices):
            wrapped = textwrap.wrap(choice, 88, break_long_words=False, break_on_hyphens=False)
            lines.append(f"#    {letter}) {wrapped[0]}")
            lines.extend(f"#       {line}" for line in wrapped[1:])
        lines.append(f"#    answer: {q.answer_format()}; {q.points:g} point{'s' if q.points != 1 else ''}")
        value = answers.get(q.id)
        # safe_dump ends a bare scalar with a document-end marker; the entry wants just the value.
        dumped = "" if value is None else " " + yaml.safe_dump(value, default_flow_style=True, width=1000).strip()
        lines.append(f"{q.id}:{dumped.removesuffix(chr(10) + '...')}")
        lines.append("")
    return "\n".join(lines)
