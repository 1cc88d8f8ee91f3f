"""Grading tunes the process it runs in (torch's threads, the cyclic collector) and gives the
caller's settings back afterwards: a notebook that grades keeps its own."""
import gc

import torch

from paths import ROOT


def test_grading_tunes_the_process_and_gives_the_callers_settings_back(grader, grade_source, monkeypatch):
    seen = []
    judge = grader._judge_case

    def spying(*args):
        seen.append((torch.get_num_threads(), gc.isenabled(), gc.get_threshold()[0]))
        return judge(*args)

    monkeypatch.setattr(grader, "_judge_case", spying)
    threads, enabled, threshold = torch.get_num_threads(), gc.isenabled(), gc.get_threshold()
    try:
        torch.set_num_threads(2)
        gc.disable()
        gc.set_threshold(123, 4, 5)
        result = grade_source("mse_loss", (ROOT / "solutions" / "day3" / "mse_loss.py").read_text())
        after = torch.get_num_threads(), gc.isenabled(), gc.get_threshold()
    finally:
        torch.set_num_threads(threads)
        gc.set_threshold(*threshold)
        (gc.enable if enabled else gc.disable)()
    assert result.status == "passed"
    assert seen and set(seen) == {(1, True, 10_000)}
    assert after == (2, False, (123, 4, 5))
