"""Comparisons inside a segment: the cue, the two sides as character spans, negation."""

import pytest

from sentclust.aspects.comparisons import comparison_rows, find_comparisons


def sides(text):
    out = []
    for c in find_comparisons(text):
        left = text[c.left[0] : c.left[1]] if c.left else None
        right = text[c.right[0] : c.right[1]] if c.right else None
        out.append((c.kind, left, right, c.negated))
    return out


def test_the_example_of_the_brief():
    assert sides("The book is far better than this film.") == [
        ("than", "The book", "this film", False)
    ]


@pytest.mark.parametrize(
    "text, kind, left, right",
    [
        ("This sequel is worse than the original", "than", "This sequel", "the original"),
        ("The remake is not as good as the original.", "as_as", "The remake", "the original"),
        ("The cast was as good as any I have seen.", "as_as", "The cast", "any I have seen"),
        ("Compared to the novel, the film is thin.", "compared", "the film", "the novel"),
        ("The film is thin compared with the novel.", "compared", "The film", "the novel"),
        ("I prefer the book to the movie.", "prefer", "the book", "the movie"),
        ("The score is superior to the script.", "superior", "The score", "the script"),
        ("The ending is inferior to the start!", "inferior", "The ending", "the start"),
        ("The second half is more boring than the first.", "than", "The second half", "the first"),
        ("Her role was less convincing than his.", "than", "Her role", "his"),
        ("It is funnier than Airplane.", "than", "It", "Airplane"),
    ],
)
def test_each_cue_and_its_two_sides(text, kind, left, right):
    (found,) = sides(text)
    assert found[:3] == (kind, left, right)


@pytest.mark.parametrize(
    "text",
    [
        "This film is no better than the last one.",
        "It is not worse than the first.",
        "The remake is not as good as the original.",
        "This isn't better than Jaws.",
        "It was never as funny as the trailer.",
    ],
)
def test_negated_comparisons_are_found_and_flagged(text):
    (found,) = find_comparisons(text)
    assert found.negated


def test_better_without_than_is_not_a_comparison():
    # one side only ("it got better", "a better film"): no two things compared, so none
    assert find_comparisons("It gets better in the second half.") == []
    assert find_comparisons("I have seen better films.") == []


@pytest.mark.parametrize(
    "text",
    [
        "I would rather sleep than watch it.",
        "Nothing other than the music works.",
        "More than two hours long.",
        # a noun in -er after a determiner (seen on the demo: "chopper than" was a cue)
        "It would be cheaper to rent a chopper than to hire some CGI-guys.",
    ],
)
def test_words_ending_in_er_and_quantities_are_not_comparisons(text):
    assert find_comparisons(text) == []


def test_a_comparative_after_an_article_is_still_a_comparison():
    (c,) = find_comparisons("It was a better than average thriller.")
    assert c.kind == "than" and not c.negated


def test_two_comparisons_in_one_segment_are_both_found():
    text = "The book is better than the film, but the film is funnier than the play."
    assert sides(text) == [
        ("than", "The book", "the film", False),
        ("than", "the film", "the play", False),
    ]


def test_case_and_punctuation_do_not_matter():
    assert sides("THE BOOK IS BETTER THAN THE FILM!!!") == [("than", "THE BOOK", "THE FILM", False)]
    assert sides("the book...better than the film?")[0][2] == "the film"


def test_comparison_rows_keep_the_segment_and_side_texts():
    rows = comparison_rows(["s1", "s2"], ["Nothing here.", "A is better than B."])
    assert rows == [
        {
            "segment_id": "s2",
            "kind": "than",
            "cue": "better than",
            "negated": False,
            "start": 5,
            "end": 16,
            "left": "A",
            "right": "B",
            "left_start": 0,
            "left_end": 1,
            "right_start": 17,
            "right_end": 18,
        }
    ]
