"""Hostile input answers a 400 the OpenAPI schema documents (issue 9; tests/hostile/test_api_schemathesis.py fuzzes
every operation, these pin the cases it found)."""
from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _ref(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _documented_validation_errors(schema, method: str, path: str) -> list[tuple[str, list[str]]]:
    """[(attr enum value or pattern, codes)] of the operation's 400 validation_error."""
    response = schema["paths"][path][method]["responses"]["400"]["content"]["application/json"]["schema"]
    found = []
    for variant in _ref(schema, response)["oneOf"]:
        variant = _ref(schema, variant)
        if variant["properties"]["type"] != {"$ref": "#/components/schemas/ValidationErrorEnum"}:
            continue
        union = _ref(schema, variant["properties"]["errors"]["items"])
        for item in union.get("oneOf", union.get("anyOf", [])):
            properties = _ref(schema, item)["properties"]
            attr = properties["attr"].get("enum", [properties["attr"].get("pattern")])[0]
            found.append((attr, properties["code"]["enum"]))
    return found


def _is_documented(schema, method: str, path: str, attr: str, code: str) -> bool:
    for documented_attr, codes in _documented_validation_errors(schema, method, path):
        matches = re.fullmatch(documented_attr, attr) if documented_attr.startswith("^") else documented_attr == attr
        if matches and code in codes:
            return True
    return False


def _errors(response) -> list[tuple[str, str]]:
    body = response.json()
    assert response.status_code == 400 and body["type"] == "validation_error", body
    return [(error["attr"], error["code"]) for error in body["errors"]]


def test_an_integer_filter_beyond_the_database_range_is_a_documented_400(client_a, schema):
    for value in ("99999999999999999999999", "-99999999999999999999999"):
        errors = _errors(client_a.get("/api/v1/contacts/", {"company": value}))
        assert errors in ([("company", "max_value")], [("company", "min_value")])
        assert _is_documented(schema, "get", "/api/v1/contacts/", *errors[0])


def test_query_parameters_validated_by_a_serializer_document_their_codes(client_a, schema):
    checks = [
        ("/api/v1/timeline/", {"guest": "0"}, ("guest", "min_value")),
        ("/api/v1/screen-pop/", {"phone": ""}, ("phone", "blank")),
        ("/api/v1/guests/lookup/", {"id_number": "A" * 41}, ("id_number", "max_length")),
        ("/api/v1/search/", {"q": "x", "limit": "99"}, ("limit", "max_value")),
    ]
    for path, params, expected in checks:
        assert expected in _errors(client_a.get(path, params)), path
        assert _is_documented(schema, "get", path, *expected), path


def test_errors_inside_lists_and_nested_objects_are_documented_as_answered(client_a, schema):
    errors = _errors(client_a.post("/api/v1/guests/", {"family_name": "张", "tags": ["x" * 61]}, format="json"))
    assert ("tags.0", "max_length") in errors
    assert _is_documented(schema, "post", "/api/v1/guests/", "tags.0", "max_length")
    assert _is_documented(schema, "post", "/api/v1/handovers/", "assignments.17", "invalid")
    assert _is_documented(schema, "post", "/api/v1/messaging/preview/", "context", "null")
    assert not _is_documented(schema, "post", "/api/v1/guests/", "tags.x", "max_length")


def test_service_raised_codes_are_documented(schema):
    assert _is_documented(schema, "post", "/api/v1/cases/", "property", "required")
    assert _is_documented(schema, "post", "/api/v1/lost-items/", "property", "required")
    assert _is_documented(schema, "post", "/api/v1/campaigns/", "channel", "invalid")
    assert _is_documented(schema, "post", "/api/v1/timeline/", "guest", "required")
    assert _is_documented(schema, "post", "/api/v1/tours/products/", "code", "unique")


def test_the_lockout_of_the_token_endpoint_is_documented(schema):
    response = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]["429"]
    errors = _ref(schema, _ref(schema, response["content"]["application/json"]["schema"])["properties"]["errors"]
                  ["items"])
    assert set(_ref(schema, errors["properties"]["code"])["enum"]) == {"throttled", "locked_out"}


def test_a_null_character_in_the_query_string_is_a_documented_400(client_a, schema):
    # Raw query parameters never reach the database with a NUL (PostgreSQL refuses it in text: a 500 before).
    for params in ({"name": "a\x00b"}, {"": "\x00"}, {"unknown\x00": "x"}):
        response = client_a.get("/api/v1/contacts/", params)
        assert response.status_code == 400
        assert response.json()["errors"][0]["code"] == "parse_error"
    parse_error = schema["components"]["schemas"]["ParseErrorResponse"]
    assert parse_error["properties"]["type"] == {"$ref": "#/components/schemas/ClientErrorEnum"}


def test_digits_that_are_not_decimal_are_refused_not_a_crash(client_a):
    # "²".isdigit() is true but int("²") fails: a ValueError (500) before.
    response = client_a.get("/api/v1/cases/", {"q": "CASE-²"})
    assert response.status_code == 200


def test_a_null_character_inside_a_json_document_is_a_documented_400(as_user, manager, schema):
    # PostgreSQL refuses NUL in text: a segment rule's value with one was a 500 there.
    definition = {"op": "and", "items": [{"field": "preference", "operator": "contains", "value": {"text": "a\x00b"}}]}
    response = as_user(manager).post("/api/v1/segments/count/", {"definition": definition}, format="json")
    assert _errors(response) == [("definition", "null_characters_not_allowed")]
    assert _is_documented(schema, "post", "/api/v1/segments/count/", "definition", "null_characters_not_allowed")
