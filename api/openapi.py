"""The OpenAPI document tells the truth about errors: every operation answers its failures (validation ones
included) in the error envelope, so generated clients and schema-driven tests (schemathesis) see the real shape
instead of FastAPI's default `{"detail": [...]}`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api.envelope import ErrorEnvelope

_REF = "#/components/schemas/{model}"
_FASTAPI_DEFAULTS = ("HTTPValidationError", "ValidationError")  # replaced, so dropped when nothing else uses them


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _REF.format(model=ErrorEnvelope.__name__)}}},
    }


def envelope_errors(schema: dict[str, Any]) -> None:
    """Rewrite FastAPI's generated document in place: the envelope for 422, for every declared error status
    without a body, and as every operation's `default` answer."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorEnvelope.model_json_schema(ref_template=_REF)
    components.update(error_schema.pop("$defs", {}))
    components[ErrorEnvelope.__name__] = error_schema
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = _error_response("The request is not valid (VALIDATION_ERROR).")
            for status, response in responses.items():
                if status.startswith(("4", "5")) and "content" not in response:
                    responses[status] = _error_response(response.get("description", "An error."))
            responses.setdefault("default", _error_response("Any other failure, with its stable error code."))
    text = repr(schema.get("paths", {}))
    for name in _FASTAPI_DEFAULTS:
        if f"/{name}'" not in text:
            components.pop(name, None)


def install_envelope_openapi(app: FastAPI) -> None:
    generate = app.openapi  # FastAPI's own (it caches what it made in app.openapi_schema)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            envelope_errors(generate())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
