import pytest
from django.db import connection

from tests import dbroles

#: The application's role's USER and PASSWORD, while the owner sets the test database up.
_APP_CREDENTIALS: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """With DATABASE_OWNER_URL, the owner creates and migrates the test database."""
    dbroles.patch_flush()
    owner = dbroles.owner_credentials()
    if owner is not None:
        from django.conf import settings

        app = settings.DATABASES["default"]
        _APP_CREDENTIALS.update(USER=app["USER"], PASSWORD=app.get("PASSWORD", ""))
        dbroles.switch_default(owner)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Then the owner grants the application's role its rights, and the tests run as it."""
    owner = dbroles.owner_credentials()
    if owner is None:
        yield
        return
    from apoc.audit.dbroles import grant_app_role

    app = _APP_CREDENTIALS
    with django_db_blocker.unblock():
        grant_app_role(app["USER"])
        dbroles.switch_default(app)
    yield
    with django_db_blocker.unblock():
        dbroles.switch_default(owner)


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
