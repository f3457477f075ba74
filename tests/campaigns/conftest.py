import pytest
from django.db import connection

from tests.conftest import make_establishment, make_user


@pytest.fixture
def school(db):
    """An establishment without pupils: tests add the ones they need; named as the
    organisation of the factories' files (`factories.ORGANISATION`)."""
    return make_establishment("0170099X", "Collège Test")


@pytest.fixture
def rupn(db):
    return make_user("rupn@college.fr", first="Rita", last="Upen")


@pytest.fixture
def real_sqlite_limits(monkeypatch):
    """Django 5.2 assumes SQLite's historic limit of 999 variables a query and splits bulk
    inserts into batches by it; the SQLite linked here allows far more (32766 by default
    since 3.32; Django 6 reads the real limit). Counting queries should not count batches
    that PostgreSQL, where pixorga runs, never makes."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)
