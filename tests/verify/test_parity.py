"""End-to-end parity of a device run with the host's: figures counted by hand."""

from __future__ import annotations

import pytest

from edgeocr.verify.parity import parity
from tests.runner.samples import entry, line


def test_parity_counts_texts_and_boxes_within_one_pixel() -> None:
    host = [entry("a", [line("咖啡店", (10, 10, 100, 30), 0.99), line("灯箱", (10, 60, 60, 30)),
                        line("Hello", (10, 120, 80, 30))]),
            entry("b", [line("same", (5, 5, 50, 20))])]
    device = [entry("a", [line("咖啡店", (11, 10, 100, 30), 0.97),        # 1 px off: agrees
                          line("灯相", (10, 60, 60, 30)),                  # text differs
                          line("Hello", (11.5, 120, 80, 30)),              # 1.5 px off: box differs
                          line("extra", (300, 10, 40, 20))]),               # no partner on the host
              entry("b", [line("same", (5, 5, 50, 20))])]
    p = parity(host, device, "run")
    assert (p["host_lines"], p["device_lines"], p["paired"]) == (4, 5, 4)
    assert (p["same_text"], p["box_within_tolerance"], p["identical_images"]) == (3, 3, 1)
    assert p["text_agreement"] == p["box_agreement"] == 3 / 5  # the unpaired line counts against both
    assert p["max_box_diff_px"] == 1.5 and p["max_score_diff"] == pytest.approx(0.02)
    same = parity(host, host, "run")
    assert same["text_agreement"] == same["box_agreement"] == 1.0 and same["identical_images"] == 2


def test_spaces_at_a_lines_ends_say_nothing_inside_they_count() -> None:
    host = [entry("a", [line("Coffee & Tea", (10, 10, 100, 30)), line("and food", (10, 60, 80, 30)),
                        line("Coffee&Tea", (10, 120, 80, 30))])]
    device = [entry("a", [line("Coffee & Tea ", (10, 10, 100, 30)),  # a trailing space: same line
                          line(" and food", (10, 60, 80, 30)),       # a leading one: same line
                          line("Coffee &Tea", (10, 120, 80, 30))])]  # a space inside: another reading
    p = parity(host, device, "run")
    assert (p["same_text"], p["same_text_exact"]) == (2, 0)
    assert p["text_agreement"] == 2 / 3
