"""Every service serves its API pages (/docs: Swagger UI, /redoc: ReDoc) with files of its own: each page names
only same-origin URLs, and each of those answers 200 with the right content type."""

import re
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from sinergi_local import docs
from sinergi_local.platform import SERVICES

BASE = "http://service.test"
# src and href attributes, and the OpenAPI document's URL in Swagger UI's and ReDoc's configuration.
_REFERENCES = re.compile(r"""(?:src|href|url|spec-url|oauth2RedirectUrl)\s*[=:]\s*["']([^"']+)["']""")
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".json": "application/json"}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
@pytest.mark.parametrize("service", SERVICES)
async def test_the_api_pages_load_only_files_the_service_serves(service: str, page: str) -> None:
    app = docs.unconnected_app(service)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        response = await client.get(page)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        assert "cdn." not in html
        assert "fonts.googleapis" not in html
        references = set(_REFERENCES.findall(html))
        assert {"js", "openapi"} <= {"js" if ref.endswith(".js") else "openapi" if "openapi" in ref else "" for ref
                                      in references}, references
        for reference in references:
            url = urljoin(f"{BASE}{page}", reference)
            assert urlsplit(url).netloc == urlsplit(BASE).netloc, f"{page} loads {reference} from elsewhere"
            fetched = await client.get(url)
            assert fetched.status_code == 200, (reference, fetched.status_code)
            suffix = "." + urlsplit(url).path.rsplit(".", 1)[-1]
            expected = CONTENT_TYPES.get(suffix, "text/html")
            assert fetched.headers["content-type"].startswith(expected), (reference, fetched.headers["content-type"])
            assert fetched.content


async def test_swagger_ui_is_a_version_that_reads_openapi_3_1() -> None:
    """FastAPI writes OpenAPI 3.1 documents: Swagger UI 4 cannot show them; 5 can."""
    app = docs.unconnected_app("routing")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        assert (await client.get("/openapi.json")).json()["openapi"].startswith("3.1")
        bundle = (await client.get("/docs-assets/swagger-ui-bundle.js")).text
    assert re.search(r'"5\.\d+\.\d+"', bundle)
