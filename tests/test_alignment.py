from hypothesis import given, settings
from hypothesis import strategies as st

from voicer.alignment import Alignment, align
from voicer.engines import WordEvent

RATE = 22_050


@st.composite
def spoken(draw: st.DrawFn) -> tuple[str, list[WordEvent], int]:
    text = draw(st.text(min_size=1, max_size=200))
    samples = draw(st.integers(1, 10 * RATE))
    count = draw(st.integers(0, 20))
    words = [WordEvent(draw(st.integers(-5, len(text) + 5)), draw(st.integers(0, 10)),
                       draw(st.integers(-100, samples + 100))) for _ in range(count)]
    return text, words, samples


@settings(max_examples=300, deadline=None)
@given(case=spoken(), offset=st.floats(0, 100))
def test_every_character_is_timed_in_order_up_to_the_end(
        case: tuple[str, list[WordEvent], int], offset: float) -> None:
    text, words, samples = case
    timing = align(text, words, samples, RATE, offset)
    assert timing.characters == list(text)
    assert len(timing.starts) == len(timing.ends) == len(text)
    assert timing.starts == sorted(timing.starts)
    assert all(start <= end for start, end in zip(timing.starts, timing.ends, strict=True))
    assert timing.starts[0] >= round(offset, 4)
    assert abs(timing.ends[-1] - (offset + samples / RATE)) < 1e-3


def test_words_start_where_the_engine_says() -> None:
    text = "Hello big world"
    words = [WordEvent(0, 5, 0), WordEvent(6, 3, RATE), WordEvent(10, 5, 2 * RATE)]
    timing = align(text, words, 3 * RATE, RATE)
    assert timing.starts[6] == 1.0 and timing.starts[10] == 2.0 and timing.ends[-1] == 3.0


def test_joined_alignments_keep_their_order() -> None:
    first = align("Hi. ", [WordEvent(0, 2, 0)], RATE, RATE)
    second = align("Bye.", [WordEvent(0, 3, 0)], RATE, RATE, offset=1.0)
    joined = Alignment.join([first, second])
    assert "".join(joined.characters) == "Hi. Bye."
    assert joined.starts == sorted(joined.starts) and joined.ends[-1] == 2.0
    assert joined.to_websocket_json()["charStartTimesMs"][4] == 1000
