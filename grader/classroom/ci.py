"""The GitHub Actions workflows `grade init-ci` writes: practice feedback in a student's repository
(``--role student``) and the grade of record in the instructor's own (``--role instructor``).

Rules:
- A student's repository holds no secret: its workflow grades with the installed grader's own pack
  (or a public practice pack, fetched at the commit given, never a branch: a moved branch would
  change every student's practice grade) and is feedback only, since a student can edit it. One
  grading run writes both its reports.
- The official grade runs in the instructor's private repository, which holds the course pack and a
  roster (one ``owner/name`` student repository per line; a student is ``owner__name``, since
  forks of one template share their name). It clones each repository at its last
  commit before the deadline (commit dates are set by the student's machine: hold the deadline with
  branch protection or GitHub Classroom if that matters), copies only its exercises folder with
  symlinks dropped, grades in shards on a job matrix inside a root container so that graded jobs run
  under a uid of their own, merges, and publishes the gradebook. The whole checkout (pack, reference
  solutions, roster: whatever the private repository holds) is made root-only before grading; jobs
  need none of it, since the grader reads each submission and hands the job its source.
- Every value given on the command line is validated, then written once into the workflow's
  ``env:`` as a YAML string; ``run:`` scripts read only ``"$VARIABLES"``, so no value is ever pasted
  into a shell line. Actions are pinned by commit SHA, ``permissions`` is read-only, checkouts keep
  no credentials, pip downloads are cached. Each day has its own workflow file.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from ..errors import UsageError

ACTIONS = {  # pinned by commit; the tag each SHA was released as is in the comment beside it
    "checkout": ("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    "setup-python": ("actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b", "v5.3.0"),
    "cache": ("actions/cache@1bd1e32a3bdc45362d1e726936510720a7c30a57", "v4.2.0"),
    "upload-artifact": ("actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    "download-artifact": ("actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16", "v4.1.8"),
}
CONTAINER = "python:3.11-bookworm"
TORCH = "torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu"

_DAY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_PATH = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_./-]{0,199}$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_SECRET = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_SPEC_FORBIDDEN = set("\"'`$\\{}\n\r;|&<>")
# name==version, a direct reference with an @revision, or an archive (wheel, sdist) by URL or path.
_PINNED = re.compile(r"[A-Za-z0-9._\[\],-]+\s*===?\s*[A-Za-z0-9.+!_-]+"
                     r"|(\S+\s*@\s*)?git\+\S+://\S+/\S+@[^/@\s]+"
                     r"|(\S+\s*@\s*)?\S+\.(whl|tar\.gz|zip)")


def _uses(name: str) -> str:
    ref, tag = ACTIONS[name]
    return f"{ref}  # {tag}"


def check_day(day: str) -> str:
    if not _DAY.match(day):
        raise UsageError(f"--day must be letters, digits, '_' or '-' (e.g. day3), not {day!r}")
    return day


def check_path(option: str, path: str) -> str:
    clean = path.strip().strip("/") or "."
    if not _PATH.match(clean) or ".." in clean.split("/"):
        raise UsageError(f"{option} must be a relative path of letters, digits, '.', '_', '-' and '/', not {path!r}")
    return clean


def check_repo(option: str, repo: str) -> str:
    if not _REPO.match(repo):
        raise UsageError(f"{option} must be owner/name, not {repo!r}")
    return repo


def check_course_repo(text: str) -> tuple[str, str]:
    """``owner/name@<commit>`` as (repo, commit): pinned as the grader is, for the same reason."""
    repo, _at, commit = text.partition("@")
    check_repo("--course-repo", repo)
    if not _COMMIT.match(commit.lower()):
        raise UsageError(f"--course-repo {text!r} is not pinned: give owner/name@<the 40-hex commit>, e.g. "
                         f"{repo}@<sha> (git ls-remote https://github.com/{repo} HEAD prints the latest)")
    return repo, commit.lower()


def check_secret(secret: str) -> str:
    if not _SECRET.match(secret):
        raise UsageError(f"--secret must be an Actions secret name (A-Z, 0-9, _), not {secret!r}")
    return secret


def check_grader(spec: str) -> str:
    if not spec.strip() or _SPEC_FORBIDDEN & set(spec):
        raise UsageError("--grader must be one pip requirement without quotes, '$', braces or shell characters")
    spec = spec.strip()
    if not _PINNED.fullmatch(spec):  # an unpinned grader changes every grade the day a new version ships
        raise UsageError(f"--grader {spec!r} is not pinned: give a version (torch-loss-grader==0.1.0), a git "
                         "revision (torch-loss-grader @ git+https://host/owner/repo@v0.1.0) or a wheel's URL")
    return spec


def check_deadline(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--deadline must be an ISO 8601 time such as 2026-12-01T23:59:00+01:00, not {text!r}") from None
    if moment.tzinfo is None:
        raise UsageError(f"--deadline needs a time zone (e.g. {text}+00:00 or {text}Z)")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def filename(role: str, day: str) -> str:
    return f"grade-{day}.yml" if role == "student" else f"grade-class-{day}.yml"


def _common(env: dict) -> str:
    """What every workflow starts with: read-only token, bash, and the validated values as env."""
    values = "\n".join(f"  {key}: {json.dumps(str(value))}" for key, value in env.items())
    return f"permissions:\n  contents: read\ndefaults:\n  run:\n    shell: bash\nenv:\n{values}\n"


_INSTALL = """\
      - uses: {cache}
        with:
          path: ${{{{ env.PIP_CACHE_DIR }}}}
          key: pip-{key}-${{{{ env.GRADER_SPEC }}}}
      - name: Install the grader
        run: |
          python -m pip install {torch}
          python -m pip install "$GRADER_SPEC"{extra}
"""

STUDENT = """\
# Written by `grade init-ci --role student`: practice feedback on {day} at every push.
# It holds no secret: it grades with {pack}. The grade of record comes from the
# instructor's own workflow (`grade init-ci --role instructor`), never from this file.
name: grade-{day}
on: [push, workflow_dispatch]
{common}jobs:
  grade:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: {checkout}
        with:
          persist-credentials: false
      - uses: {setup_python}
        with:
          python-version: "3.11"
{install}{fetch}      - name: Grade
        working-directory: ${{{{ runner.temp }}}}
        run: |
          grade "$DAY" --submission "$GITHUB_WORKSPACE/$EXERCISES" --format gradescope --output "$RUNNER_TEMP/results.json" \\
              --report "github:$RUNNER_TEMP/summary.md" ${{FAIL_UNDER:+--fail-under "$FAIL_UNDER"}}
      - name: Upload the report
        if: always()
        uses: {upload}
        with:
          name: grade-{day}
          path: |
            ${{{{ runner.temp }}}}/results.json
            ${{{{ runner.temp }}}}/summary.md
"""

PRACTICE_FETCH = """\
      - name: Fetch the public practice pack at its pinned commit
        run: |
          git init --quiet "$RUNNER_TEMP/course"
          git -C "$RUNNER_TEMP/course" fetch --quiet --depth 1 "$GIT_BASE/$COURSE_REPO.git" "$COURSE_COMMIT"
          git -C "$RUNNER_TEMP/course" -c advice.detachedHead=false checkout --quiet FETCH_HEAD
          echo "GRADER_COURSE=$RUNNER_TEMP/course/$COURSE_PATH" >> "$GITHUB_ENV"
"""


def student_workflow(day: str, grader: str, course_repo: tuple[str, str] | None = None, course_path: str = ".",
                     exercises: str = "exercises", fail_under: float | None = None) -> str:
    """``course_repo`` is a public practice pack as (owner/name, commit), from :func:`check_course_repo`."""
    env = {"DAY": day, "EXERCISES": exercises, "GRADER_SPEC": grader, "PIP_CACHE_DIR": "/home/runner/.cache/pip",
           "FAIL_UNDER": "" if fail_under is None else f"{fail_under:g}"}
    if course_repo:
        env.update(COURSE_REPO=course_repo[0], COURSE_COMMIT=course_repo[1], COURSE_PATH=course_path,
                   GIT_BASE="https://github.com")
    return STUDENT.format(
        day=day, common=_common(env), checkout=_uses("checkout"), setup_python=_uses("setup-python"),
        upload=_uses("upload-artifact"), fetch=PRACTICE_FETCH if course_repo else "",
        pack=f"the public practice pack {course_repo[0]} at\n# commit {course_repo[1]}" if course_repo
        else "the pack that ships with the grader",
        install=_INSTALL.format(cache=_uses("cache"), key="student", torch=TORCH, extra=""))


INSTRUCTOR = """\
# Written by `grade init-ci --role instructor`: the grade of record for {day}.
# Lives in the instructor's private repository, beside the course pack ($COURSE_PATH) and the roster
# ($ROSTER: one student repository owner/name per line); the whole checkout is made readable by root
# only before grading, since graded jobs run as other users in the container. Secrets: {token}
# (read access to the student repositories) and, when the pack uses secret seeds, GRADER_SECRET.
# Run it from the Actions tab after the deadline; the number of shards is the length of the matrix below.
name: grade-class-{day}
on: workflow_dispatch
{common}jobs:
  grade:
    runs-on: ubuntu-latest
    timeout-minutes: 120
    container:
      image: {container}  # root inside: each graded job switches to a uid of its own
    strategy:
      fail-fast: false  # a failed shard shows up in the merge as missing students
      matrix:
        shard: [{shards}]
    steps:
      - uses: {checkout}
        with:
          persist-credentials: false
{install}      - name: Keep the checkout (pack, solutions, roster) readable by root only
        run: chmod -R go-rwx "$GITHUB_WORKSPACE"
      - name: Fetch each student's last commit before the deadline
        env:
          STUDENTS_TOKEN: ${{{{ secrets.{token} }}}}
        run: |
{fetch}
      - name: Grade this shard
        env:
          GRADER_SECRET: ${{{{ secrets.GRADER_SECRET }}}}
          SHARD_INDEX: ${{{{ strategy.job-index }}}}
          SHARD_TOTAL: ${{{{ strategy.job-total }}}}
        run: |
          shard=$((SHARD_INDEX + 1))
          grade batch "$DAY" "$RUNNER_TEMP/submissions" --course "$COURSE_PATH" --shard "$shard/$SHARD_TOTAL" \\
              --jobs "$JOBS" --out "grades/shard-$shard"
          cp "$RUNNER_TEMP/commits.txt" "grades/shard-$shard/commits.txt"
      - uses: {upload}
        with:
          name: grades-{day}-shard-${{{{ strategy.job-index }}}}
          path: grades
  merge:
    needs: grade
    if: always()
    runs-on: ubuntu-latest
    container:
      image: {container}
    steps:
{merge_install}      - uses: {download}
        with:
          pattern: grades-{day}-shard-*
          path: shards
      - name: Merge the shards (fails if a student is missing, graded twice, or graded another way)
        run: |
          grade merge shards/*/shard-* --out gradebook
          sort -u shards/*/shard-*/commits.txt > gradebook/commits.txt
          cat gradebook/summary.md >> "$GITHUB_STEP_SUMMARY"
      - uses: {upload}
        with:
          name: gradebook-{day}
          path: gradebook
"""

FETCH = r"""set -euo pipefail
mkdir -p "$RUNNER_TEMP/repos" "$RUNNER_TEMP/submissions"
: > "$RUNNER_TEMP/commits.txt"
auth="AUTHORIZATION: basic $(printf 'x-access-token:%s' "$STUDENTS_TOKEN" | base64 -w0)"
# A student is the whole owner/name: forks of one template share their name, and a name alone
# ("day3", ".x") could pass for something else. Owners hold no "_", so owner__name is unique.
listed=$(grep -Ev '^[[:space:]]*(#|$)' "$ROSTER" | awk '{print $1}')
twice=$(printf '%s\n' "$listed" | sort -f | uniq -di | head -n 1)  # GitHub ignores case in names
if [ -n "$twice" ]; then
  echo "::error::$ROSTER lists $twice twice"; exit 1
fi
printf '%s\n' "$listed" | while read -r repo; do
  [ -n "$repo" ] || continue  # an empty roster
  if ! printf '%s\n' "$repo" | grep -Eq '^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9_.-]+$'; then
    echo "::error::$ROSTER: '$repo' is not owner/name"; exit 1
  fi
  name="${repo%%/*}__${repo#*/}"
  work="$RUNNER_TEMP/repos/$name"
  mkdir -p "$RUNNER_TEMP/submissions/$name"
  # The token goes in a header for this command only, never into .git/config.
  if ! git -c http.extraHeader="$auth" clone --quiet --no-checkout "$GIT_BASE/$repo.git" "$work"; then
    echo "::warning::cannot clone $repo: graded as handing in nothing"; continue
  fi
  commit=$(git -C "$work" rev-list -n 1 --first-parent --before="$DEADLINE" HEAD 2>/dev/null || true)
  if [ -z "$commit" ]; then
    echo "$name none" >> "$RUNNER_TEMP/commits.txt"
  else
    git -C "$work" -c core.symlinks=false -c advice.detachedHead=false checkout --quiet "$commit"
    if [ -d "$work/$EXERCISES" ]; then
      cp -R "$work/$EXERCISES/." "$RUNNER_TEMP/submissions/$name/"
      find "$RUNNER_TEMP/submissions/$name" -type l -delete
    fi
    echo "$name $commit" >> "$RUNNER_TEMP/commits.txt"
  fi
  rm -rf "$work"
done"""


def instructor_workflow(day: str, grader: str, deadline: str, course_path: str = "course", roster: str = "roster.txt",
                        exercises: str = "exercises", shards: int = 4, jobs: int = 2,
                        token: str = "STUDENTS_TOKEN") -> str:
    env = {"DAY": day, "DEADLINE": deadline, "ROSTER": roster, "COURSE_PATH": course_path, "EXERCISES": exercises,
           "GRADER_SPEC": grader, "JOBS": jobs, "GIT_BASE": "https://github.com", "PIP_CACHE_DIR": "/tmp/pip-cache"}
    install = _INSTALL.format(cache=_uses("cache"), key="instructor", torch=TORCH, extra="")
    merge_install = _INSTALL.format(cache=_uses("cache"), key="instructor-merge", torch=TORCH, extra=" matplotlib")
    return INSTRUCTOR.format(
        day=day, common=_common(env), container=CONTAINER, shards=", ".join(str(i) for i in range(1, shards + 1)),
        checkout=_uses("checkout"), upload=_uses("upload-artifact"), download=_uses("download-artifact"),
        install=install, merge_install=merge_install, token=token,
        fetch="\n".join("          " + line if line else "" for line in FETCH.splitlines()))
