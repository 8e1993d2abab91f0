"""The reading-order yardstick of bench/quality/layout_eval: line matching and Kendall tau."""

from __future__ import annotations

import pytest

from tests.support import layout_score
from tests.support.cer import bag_cer, cer
from tests.support.layout_match import Piece, coverage, kendall_tau, match, paragraph_breaks


def test_kendall_tau_counts_concordant_and_discordant_pairs() -> None:
    assert kendall_tau([0, 1, 2, 3]) == 1.0
    assert kendall_tau([3, 2, 1, 0]) == -1.0
    # One adjacent swap among four: 5 concordant pairs, 1 discordant.
    assert kendall_tau([0, 2, 1, 3]) == pytest.approx(4 / 6)
    # Unmatched lines and pairs inside one item carry no order.
    assert kendall_tau([0, None, 1, 1, 2]) == 1.0
    assert kendall_tau([None, 4, 4]) is None


def test_two_columns_read_across_rows_lose_order() -> None:
    # Two columns of two lines each; the truth reads column by column.
    truth = [
        Piece("It was the best of times,", (0, 0, 100, 10), 0),
        Piece("it was the worst of times.", (0, 12, 100, 22), 0),
        Piece("Call me Ishmael. Some years", (120, 0, 220, 10), 1),
        Piece("ago, never mind how long.", (120, 12, 220, 22), 1),
    ]
    # Rows read straight across; the detector also cut the first line in two.
    rows = [
        Piece("It was the best", (0, 0, 60, 10), "a"),
        Piece("of times,", (62, 0, 100, 10), "a"),
        Piece("Call me Ishmael. Some years", (119, -1, 221, 11), "a"),
        Piece("it was the worst of times.", (0, 12, 100, 22), "a"),
        Piece("ago, never mind how long.", (120, 12, 220, 22), "a"),
    ]
    order = match(rows, truth)
    assert order == [0, 0, 2, 1, 3]
    # Pairs: (0,2) (0,1) (0,3) twice each, (2,1) discordant, (2,3), (1,3): 8 vs 1.
    assert kendall_tau(order) == pytest.approx(7 / 9)
    assert coverage(order, rows, truth) == 1.0
    # Columns glued into rows: one item per row matched, the other one still read.
    glued = [Piece("It was the best of times, Call me Ishmael. Some years", (0, 0, 220, 10)),
             Piece("it was the worst of times.", (0, 12, 100, 22))]
    glued_order = match(glued, truth)
    assert glued_order[0] in (0, 2) and glued_order[1] == 1
    assert coverage(glued_order, glued, truth) == 0.75
    # One paragraph predicted where the truth breaks between the columns.
    assert paragraph_breaks(order, rows, truth) == (0, 0, 1)


def test_text_alone_matches_when_boxes_are_off_but_not_for_short_texts() -> None:
    truth = [Piece("TOTAL", (0, 0, 50, 10)), Piece("Four score and seven years ago",
                                                   (0, 20, 200, 30))]
    far = [Piece("Four score and seven", (900, 900, 990, 910)), Piece("9.50", (5, 0, 30, 10)),
           Piece("50", (800, 800, 820, 810))]
    assert match(far, truth) == [1, 0, None]


def test_page_cer_is_bench_cer() -> None:
    truth = "It was the best of times,\nit was the worst of times."
    read = "it was the worst of tirnes.\nIt was the best of times,"
    assert layout_score.cer(read, truth) == pytest.approx(cer(read, truth))
    assert layout_score.cer(read, truth) > 0.25  # the order costs
    # "tirnes" for "times": one surplus "m" in the truth, "rn" in the reading.
    assert layout_score.order_free_cer(read, truth) == pytest.approx(2 / 41)
    # Sorting words would charge a misread word twice when it sorts elsewhere.
    assert layout_score.order_free_cer("zpple zebra", "apple zebra") == pytest.approx(0.1)
    assert bag_cer("zpple zebra", "apple zebra") > 0.3
    assert layout_score.order_free_cer("学而时习之", "之习时而学") == 0.0
    assert layout_score.order_free_cer("学而时习", "之习时而学") == pytest.approx(1 / 5)
