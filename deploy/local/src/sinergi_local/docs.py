"""The AsyncAPI and OpenAPI documents, generated from the code into docs/ (``make docs``).

The AsyncAPI text is FastStream's document of ``<service>.entrypoints.asyncapi:spec`` with its channels,
operations, messages and schemas in name order (FastStream's own order changes from run to run); the OpenAPI
text is each FastAPI app's own schema. A test compares both with the committed files.
"""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path

import yaml
from fastapi import FastAPI

from shared.settings import ServiceSettings
from sinergi_local.platform import REPO_ROOT, SERVICES

DOCS = REPO_ROOT / "docs"


def asyncapi_yaml(service: str) -> str:
    spec = importlib.import_module(f"{service}.entrypoints.asyncapi").spec
    document = yaml.safe_load(spec.schema.to_specification().to_yaml())
    sections = [document, document.get("components", {})]
    for section, name in ((s, n) for s in sections for n in ("channels", "operations", "messages", "schemas")):
        if name in section:
            section[name] = dict(sorted(section[name].items()))
    text: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return text


def _settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"{service}.settings")
    for _, candidate in inspect.getmembers(module, inspect.isclass):
        if issubclass(candidate, ServiceSettings) and candidate.__module__ == module.__name__:
            return candidate
    raise LookupError(f"{service}.settings defines no ServiceSettings")


def unconnected_app(service: str) -> FastAPI:
    """``service``'s app as its settings build it, not started: building it connects to nothing (the database
    URL only has to be well-formed)."""
    settings = _settings_class(service)(database_url="postgresql+asyncpg://docs@127.0.0.1/docs")
    app: FastAPI = importlib.import_module(f"{service}.app").create_app(settings)
    return app


def openapi_json(service: str) -> str:
    return json.dumps(unconnected_app(service).openapi(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def paths(service: str) -> tuple[Path, Path]:
    return DOCS / "asyncapi" / f"{service}.yaml", DOCS / "openapi" / f"{service}.json"


def main() -> None:
    """Write every service's AsyncAPI and OpenAPI documents."""
    for service in SERVICES:
        asyncapi, openapi = paths(service)
        for path, text in ((asyncapi, asyncapi_yaml(service)), (openapi, openapi_json(service))):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path.relative_to(REPO_ROOT)}")  # noqa: T201


if __name__ == "__main__":
    main()
