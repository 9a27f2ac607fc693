from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import Api, make_api


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("captions"), requests_per_minute=10_000)
