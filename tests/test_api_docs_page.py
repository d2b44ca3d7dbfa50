import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_docs_page_obeys_the_content_security_policy(client):
    response = client.get("/api/v1/docs/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "/static/portal/api-docs.css" in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
