from hypothesis import given, settings
from hypothesis import strategies as st

from voicer.speech import PACKED_CHARACTERS, pieces

SENTENCES = st.lists(st.sampled_from(["Hello there.", "Yes!", "Why not?", "Привіт, світе.",
                                      "A much longer sentence that goes on for a while.", "\n\n"]),
                     min_size=1, max_size=60)


@settings(max_examples=200, deadline=None)
@given(parts=SENTENCES)
def test_pieces_start_with_one_sentence_and_cover_the_text(parts: list[str]) -> None:
    text = " ".join(parts)
    chunks = pieces(text, "en")
    if not text.strip():
        assert chunks == []
        return
    assert "".join(c.text for c in chunks).replace(" ", "").replace("\n", "") == \
        text.replace(" ", "").replace("\n", "")
    assert all(text[c.start:c.start + len(c.text)] == c.text for c in chunks)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert all(len(c.text) <= PACKED_CHARACTERS for c in chunks[1:])


def test_the_first_piece_is_the_first_sentence() -> None:
    chunks = pieces("First one. Second one. Third one.", "en")
    assert chunks[0].text == "First one."
    assert chunks[1].text == "Second one. Third one."
