"""Every operation of the OpenAPI document, fuzzed against a real server: no 5xx, and no
answer the document does not describe.

The budget is ``VOICER_FUZZ_EXAMPLES`` cases per operation and generation mode (valid and
invalid input), small by default so the suite stays quick; the longer run is
``VOICER_FUZZ_EXAMPLES=500 pytest tests/fuzz``, with a random seed each time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import Server
from voicer.api import create_app
from voicer.settings import Settings

EXAMPLES = int(os.environ.get("VOICER_FUZZ_EXAMPLES", "15"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
DOCUMENT = create_app(Settings()).openapi()
OPERATIONS = [(method.upper(), path)
              for path, methods in DOCUMENT["paths"].items() for method in methods]
# invalid input needs something to make invalid: a parameter or a body
CASES = [(method, path, mode) for method, path in OPERATIONS
         for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if mode is GenerationMode.POSITIVE
         or {"parameters", "requestBody"} & set(DOCUMENT["paths"][path][method.lower()])]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("fuzz"), env={
        "VOICER_REQUESTS_PER_MINUTE": "1000000", "VOICER_WORKERS": "1"})
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def schema(fuzzed: Server) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzzed.url}/openapi.json")


@pytest.fixture(scope="module")
def token(fuzzed: Server) -> str:
    return fuzzed.token(characters=1_000_000_000, plan="ultra")


def test_every_operation_is_fuzzed(schema: schemathesis.BaseSchema) -> None:
    assert len(OPERATIONS) == len(list(schema.get_all_operations())) >= 25


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_no_input_makes_a_server_error_or_an_undocumented_answer(
        schema: schemathesis.BaseSchema, token: str, method: str, path: str,
        mode: GenerationMode) -> None:
    operation = schema[path][method]
    headers = {"Authorization": f"Bearer {token}", "xi-api-key": token}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 50,
              suppress_health_check=list(HealthCheck), database=None)
    def fuzz(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=60)

    fuzz()


def test_linked_operations_follow_a_created_task(schema: schemathesis.BaseSchema, token: str) -> None:
    """Stateful: create a task, then look at, watch, download or cancel that very task."""
    headers = {"Authorization": f"Bearer {token}", "xi-api-key": token}
    followed: list[int] = []

    # Only the links the document declares: links schemathesis infers from look-alike fields
    # multiply the scenario's branches on the server's answers, which cannot be replayed.
    schema.config.phases.stateful.inference.algorithms = []

    class Scenario(schema.as_state_machine()):  # type: ignore[misc]
        def after_call(self, response: schemathesis.Response, case: schemathesis.Case) -> None:
            if "{task_id}" in case.operation.path and response.status_code < 400:
                followed.append(response.status_code)

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            return {"headers": headers, "timeout": 60}

        def validate_response(self, response: schemathesis.Response, case: schemathesis.Case,
                              additional_checks: object = None, **kwargs: object) -> None:
            case.validate_response(response, checks=CHECKS)

    # A scenario's next step depends on the live server's answers, which Hypothesis cannot
    # replay exactly: a fixed seed and a modest budget keep its runs repeatable.
    Scenario.run(settings=settings(max_examples=min(EXAMPLES, 50), deadline=None, database=None,
                                   derandomize=True, stateful_step_count=6,
                                   suppress_health_check=list(HealthCheck)))
    assert followed, "no link from a created task was followed"
