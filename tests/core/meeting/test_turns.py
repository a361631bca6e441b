from __future__ import annotations

import itertools

from app.core.meeting.speakers import SpeakerTurn as T
from app.core.meeting.turns import MIN_TURN_S, Piece, drop_short, pieces, speech_runs


def test_nobody_recognised_keeps_the_utterance_whole():
    assert pieces([], 0.0, 3.0) == [Piece(0.0, 3.0, None)]
    assert pieces([T(5.0, 6.0, 0)], 0.0, 3.0) == [Piece(0.0, 3.0, None)]  # outside the window
    assert Piece(0.0, 3.0, None).name == "Others" and Piece(0, 1, 1).name == "Speaker 2"


def test_one_speaker_is_one_piece_whatever_its_pauses():
    turns = [T(0.2, 1.0, 1), T(1.4, 2.0, 1), T(2.5, 2.9, 1)]
    assert pieces(turns, 0.0, 3.0) == [Piece(0.0, 3.0, 1)]


def test_two_speakers_are_cut_in_the_middle_of_the_pause_between_them():
    turns = [T(0.3, 2.0, 0), T(2.4, 4.5, 1)]
    assert pieces(turns, 0.0, 5.0) == [Piece(0.0, 2.2, 0), Piece(2.2, 5.0, 1)]
    back = [*turns, T(4.9, 6.5, 0)]
    assert [p.speaker for p in pieces(back, 0.0, 7.0)] == [0, 1, 0]
    assert pieces(back, 0.0, 7.0)[1] == Piece(2.2, 4.7, 1)


def test_overlapping_speakers_are_cut_in_the_middle_of_the_overlap():
    assert pieces([T(0.0, 2.5, 0), T(2.0, 4.0, 1)], 0.0, 4.0) == [
        Piece(0.0, 2.25, 0),
        Piece(2.25, 4.0, 1),
    ]


def test_talking_over_a_speaker_inside_their_turn_does_not_split_it():
    turns = [T(0.0, 4.0, 0), T(1.0, 2.5, 1)]
    assert speech_runs(turns, 0.0, 4.0) == [T(0.0, 4.0, 0)]
    assert pieces(turns, 0.0, 4.0) == [Piece(0.0, 4.0, 0)]


def test_turns_shorter_than_the_minimum_stay_inside_their_neighbours():
    mm_hm = [T(0.0, 1.5, 0), T(1.7, 2.1, 1), T(2.3, 4.0, 0)]
    assert pieces(mm_hm, 0.0, 4.0) == [Piece(0.0, 4.0, 0)]
    assert drop_short(speech_runs(mm_hm, 0.0, 4.0)) == [T(0.0, 4.0, 0)]
    # a short first turn goes to the speaker after it; the piece still starts at 0
    assert pieces([T(0.0, 0.5, 0), T(0.7, 3.0, 1)], 0.0, 3.0) == [Piece(0.0, 3.0, 1)]
    # all too short: the longest speaker keeps the whole
    assert pieces([T(0.0, 0.4, 0), T(0.6, 1.2, 1)], 0.0, 1.5) == [Piece(0.0, 1.5, 1)]
    # exactly the minimum is long enough
    exact = [T(0.0, MIN_TURN_S, 0), T(MIN_TURN_S, 2 * MIN_TURN_S, 1)]
    assert [p.speaker for p in pieces(exact, 0.0, 2.0)] == [0, 1]
    assert [p.speaker for p in pieces(exact, 0.0, 2.0, min_turn=1.5)] == [0]


def test_pieces_of_a_window_cover_it_without_gaps():
    turns = [T(9.0, 11.5, 0), T(11.9, 13.2, 1), T(13.4, 20.0, 2)]
    out = pieces(turns, 10.0, 14.0)
    assert out[0].start == 10.0 and out[-1].end == 14.0
    assert all(a.end == b.start for a, b in itertools.pairwise(out))
    assert [p.speaker for p in out] == [0, 1]  # speaker 3 has 0.6 s inside the window


def test_a_piece_gives_its_samples():
    piece = Piece(10.5, 11.0, 0)
    assert piece.samples(10.0, 100, 1000) == slice(50, 100)
    assert Piece(9.0, 30.0, 0).samples(10.0, 100, 1000) == slice(0, 1000)
