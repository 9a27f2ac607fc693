import pytest
from pydantic import ValidationError

from voicer.pauses import PausePlan


def test_every_nth_chunk_gets_the_pause_and_the_last_never() -> None:
    plan = PausePlan(enabled=True, duration=3.0, frequency=2)
    assert [plan.after(i, 7) for i in range(7)] == [None, 3.0, None, 3.0, None, 3.0, 0.0]


def test_the_last_chunk_gets_no_pause_even_when_it_is_the_nth() -> None:
    plan = PausePlan(enabled=True, duration=1.5, frequency=1)
    assert [plan.after(i, 3) for i in range(3)] == [1.5, 1.5, 0.0]


def test_disabled_pauses_keep_natural_gaps() -> None:
    assert [PausePlan(duration=9).after(i, 3) for i in range(3)] == [None, None, 0.0]


@pytest.mark.parametrize(("field", "value"), [
    ("duration", 0.09), ("duration", 30.01), ("frequency", 0), ("frequency", 101),
])
def test_out_of_range_values_are_refused_naming_the_field(field: str, value: float) -> None:
    with pytest.raises(ValidationError) as error:
        PausePlan(**{field: value})
    assert error.value.errors()[0]["loc"] == (field,)
