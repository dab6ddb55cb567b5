import pytest
from django.db import connection


@pytest.fixture
def postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")


@pytest.fixture(scope="session")
def sf1520_certificates(tmp_path_factory):
    """The test CA, server and client certificates of the fake Serviceplatformen."""
    from tests.fake_serviceplatformen import make_certificates

    return make_certificates(tmp_path_factory.mktemp("sf1520-certificates"))


@pytest.fixture
def fake_serviceplatformen(sf1520_certificates):
    """A running fake of Serviceplatformen (SF1520) on 127.0.0.1, stopped after the test."""
    from tests.fake_serviceplatformen import FakeServiceplatformen

    with FakeServiceplatformen(sf1520_certificates) as fake:
        yield fake
