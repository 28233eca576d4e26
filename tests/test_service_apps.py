"""What every service's app is built with: endpoint dependencies that are coroutines (FastAPI runs a plain ``def``
dependency in a worker thread, a thread hop and a thread's own memory per request for what is one attribute
read), and the limit of requests in flight."""

import inspect

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from shared.limits import InFlightLimitMiddleware
from sinergi_local import docs
from sinergi_local.platform import SERVICES


def _calls(dependant: Dependant) -> list[object]:
    calls: list[object] = []
    for dependency in dependant.dependencies:
        calls.append(dependency.call)
        calls.extend(_calls(dependency))
    return calls


def _runs_in_a_thread(call: object) -> bool:
    # A class instance (FastAPI's security schemes) is awaited through its async __call__.
    function = call if inspect.isfunction(call) or inspect.ismethod(call) else getattr(call, "__call__", call)  # noqa: B004
    return not inspect.iscoroutinefunction(function)


@pytest.mark.parametrize("service", SERVICES)
def test_no_endpoint_dependency_runs_in_a_worker_thread(service: str) -> None:
    app = docs.unconnected_app(service)
    routes = [context.original_route for context in iter_route_contexts(app.routes)]
    routes = [route for route in routes if isinstance(route, APIRoute)]
    assert routes
    threaded = {
        f"{route.path}: {getattr(call, '__qualname__', call)}"
        for route in routes
        for call in _calls(route.dependant)
        if call is not None and _runs_in_a_thread(call)
    }
    assert not threaded, f"plain def dependencies (run in a worker thread): {sorted(threaded)}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_limits_its_requests_in_flight(service: str) -> None:
    app = docs.unconnected_app(service)
    limits = [middleware.kwargs for middleware in app.user_middleware if middleware.cls is InFlightLimitMiddleware]
    assert limits == [{"limit": 64}]
    assert app.user_middleware[0].cls is InFlightLimitMiddleware  # outermost: refuses before anything is read
