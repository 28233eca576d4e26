"""The AsyncAPI and OpenAPI documents in docs/ are the ones the code generates (run `make docs` after a change)."""

import pytest

from sinergi_local import docs
from sinergi_local.platform import SERVICES


@pytest.mark.parametrize("service", SERVICES)
def test_asyncapi_document_is_generated_from_the_code(service: str) -> None:
    committed, _ = docs.paths(service)
    assert committed.read_text() == docs.asyncapi_yaml(service), f"docs/asyncapi/{service}.yaml is stale: make docs"


@pytest.mark.parametrize("service", SERVICES)
def test_openapi_document_is_generated_from_the_code(service: str) -> None:
    _, committed = docs.paths(service)
    assert committed.read_text() == docs.openapi_json(service), f"docs/openapi/{service}.json is stale: make docs"


def test_every_event_contract_is_documented_by_its_producer() -> None:
    from shared.contracts.base import Event

    published = "".join(docs.asyncapi_yaml(service) for service in SERVICES)
    for event_type, _version in Event.registry:
        assert f"publishes:{event_type}" in published, f"{event_type} is in no service's AsyncAPI document"
