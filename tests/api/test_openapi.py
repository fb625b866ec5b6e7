"""The OpenAPI document describes errors as they are answered: the envelope, for 422 and for everything else."""

from __future__ import annotations

from tests.api.conftest import Api


def test_every_operation_documents_its_errors_as_the_envelope(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert {"success", "error", "meta"} <= set(schema["components"]["schemas"]["ErrorEnvelope"]["properties"])
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert operations
    for operation in operations:
        responses = operation["responses"]
        assert responses["default"]["content"]["application/json"]["schema"] == envelope
        if "422" in responses:
            assert responses["422"]["content"]["application/json"]["schema"] == envelope
