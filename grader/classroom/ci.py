"""The GitHub Actions workflow ``grade init-ci`` writes into a student's repository.

The tests never come from the student's repository: the grader is installed from a pip spec
and the course pack (hidden cases, quiz key) is cloned from the instructor's private repository
into the runner's temp folder, with a read-only token kept in an organisation secret. Grading
runs from that temp folder too, so nothing in the student's checkout is on Python's path.
A student with write access can still edit this workflow itself, so its score is feedback; the
grade of record comes from the instructor's own `grade batch` run.
"""
from __future__ import annotations

TEMPLATE = """\
# Written by `grade init-ci`: grades {exercises}/{day} on every push.
name: grade
on: [push, workflow_dispatch]
jobs:
  grade:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install the grader
        run: |
          pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
          pip install "{grader}"
      - name: Fetch the course pack (kept outside this repository)
        env:
          COURSE_TOKEN: ${{{{ secrets.{secret} }}}}
        run: |
          git clone --depth 1 "https://x-access-token:${{COURSE_TOKEN}}@github.com/{course_repo}.git" "$RUNNER_TEMP/course"
          echo "GRADER_COURSE=$RUNNER_TEMP/course/{course_path}" >> "$GITHUB_ENV"
      - name: Grade
        working-directory: ${{{{ runner.temp }}}}
        run: |
          grade {day} --submission "$GITHUB_WORKSPACE/{exercises}" --format gradescope --output "$RUNNER_TEMP/results.json"
          grade {day} --submission "$GITHUB_WORKSPACE/{exercises}" --format github --output "$RUNNER_TEMP/summary.md"{fail_under}
      - name: Upload the report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: grade-report
          path: |
            ${{{{ runner.temp }}}}/results.json
            ${{{{ runner.temp }}}}/summary.md
"""


def workflow(day: str, grader: str, course_repo: str, course_path: str = ".", secret: str = "COURSE_TOKEN",
             exercises: str = "exercises", fail_under: float | None = None) -> str:
    return TEMPLATE.format(day=day, grader=grader, course_repo=course_repo, course_path=course_path.strip("/") or ".",
                           secret=secret, exercises=exercises,
                           fail_under="" if fail_under is None else f" --fail-under {fail_under:g}")
