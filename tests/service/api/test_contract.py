"""The HTTP contract, fuzzed: schemathesis generates requests from the OpenAPI document (valid and
invalid ones, a bounded number per operation) and checks every answer against it: no server error,
status codes and media types the document declares, bodies matching their schemas, invalid data
rejected and valid data accepted. Routes added later are fuzzed from their first day."""

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import Case, Response
from schemathesis.checks import positive_data_acceptance
from sqlalchemy.orm import Session

from accounts.keys import create_key
from models.database import create_database_engine

EXAMPLES_PER_OPERATION = 40


@pytest.fixture
def api_schema(client: TestClient) -> schemathesis.BaseSchema:
    """The document of the app served to `client` (its lifespan already started)."""
    return schemathesis.openapi.from_asgi("/openapi.json", client.app)


@pytest.fixture(scope="session")
def admin_key(reference_database_url: str) -> str:
    """An admin key, so that the routes that change catalogs are fuzzed past their key check."""
    engine = create_database_engine(reference_database_url)
    with Session(engine) as session:
        _, key = create_key(session, "admin")
        session.commit()
    engine.dispose()
    return key


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI passes or fails for a reason, not by chance
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_keeps_its_contract(case: Case, admin_key: str) -> None:
    response = case.call(headers={"authorization": f"Bearer {admin_key}"})
    excluded = [positive_data_acceptance] if _refused_by_design(response) else []
    case.validate_response(response, excluded_checks=excluded)


# Problems about content that no schema can state: which region codes exist is data; a catalog is
# checked row by row (its cells, its encoding, the columns its mapping names); a period must not end
# before it starts and its days lie between 2000 and 2100; a target has a `change` or a `value`; a
# pasted text of separators alone holds no skill.
REFUSED_BY_CONTENT = {
    "/problems/no-skills",
    "/problems/unknown-region",
    "/problems/invalid-period",
    "/problems/invalid-target",
    "/problems/invalid-catalog",
    "/problems/unreadable-catalog",
    "/problems/invalid-mapping",
    "/problems/too-many-rows",
}


def _refused_by_design(response: Response) -> bool:
    """Schema-valid requests that are refused on purpose, by rules no parameter schema can state:
    the content problems above, and a query holding a NUL character (refused for every route, as
    the API description says)."""
    if response.status_code != 422:
        return False
    problem = response.json()
    if problem.get("type") in REFUSED_BY_CONTENT:
        return True
    locations = [error.get("location") for error in problem.get("errors", [])]
    return locations == ["query"] and all("NUL" in error["message"] for error in problem["errors"])


def test_error_answers_are_documented_as_problems(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    assert list(response["content"]) == ["application/problem+json"], (method, path, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]
