"""Database helpers the apps share: "insert unless it conflicts", with the database as arbiter.

Several app servers share one PostgreSQL, so a value that must be unique (a
personnummer, a Jobnet username) is claimed by the unique constraint, never by
a check in Python followed by an insert. :func:`insert_first_free` offers the
database a list of candidates and inserts the first that is free:

* on PostgreSQL in one statement, ``INSERT … VALUES … ON CONFLICT DO NOTHING
  RETURNING`` for one candidate and ``INSERT … SELECT … WHERE NOT EXISTS …``
  for several, which needs no savepoint, so a conflict leaves the caller's
  transaction usable;
* elsewhere (SQLite) each candidate is an ordinary ``save()`` in a savepoint.

Either way the result is the saved model instance, as ``save()`` leaves it
(the primary key and the database's defaults read back), or ``None`` when every
candidate was taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from django.db import IntegrityError, connections, router, transaction
from django.db.models import NOT_PROVIDED, Model

__all__ = ["insert_first_free", "insert_unless_conflict", "reconnect_if_broken"]

M = TypeVar("M", bound=Model)


def insert_unless_conflict(model: type[M], *, field: str, values: dict[str, Any]) -> M | None:
    """Insert one row; ``None`` when another row has the same value in the unique ``field``."""
    rest = {name: value for name, value in values.items() if name != field}
    return insert_first_free(model, field=field, candidates=[values[field]], values=rest)


def insert_first_free(
    model: type[M], *, field: str, candidates: Sequence[Any], values: dict[str, Any]
) -> M | None:
    """Insert ``values`` with ``field`` set to the first candidate no row holds yet.

    ``field`` must carry a unique constraint of its own: that constraint decides
    between concurrent inserts. Candidates are tried in the order given.
    Returns the saved instance, or ``None`` when every candidate is taken. An
    IntegrityError that is not about ``field`` is raised, not swallowed.
    """
    if not candidates:
        return None
    alias = router.db_for_write(model)
    if connections[alias].vendor == "postgresql":
        return _insert_first_free_postgresql(model, alias, field, candidates, values)
    return _insert_first_free_generic(model, alias, field, candidates, values)


@dataclass(frozen=True)
class _Statement:
    """The INSERTs of :func:`_insert_first_free_postgresql` for one model, field and database,
    with what binding their values and reading their row back need: built once per process."""

    #: For one candidate: ``INSERT … VALUES … ON CONFLICT DO NOTHING``, the claimed value bound
    #: first. Planned in a fraction of the time of the statement for several.
    single: str
    #: For several: ``INSERT … SELECT`` the first of them that no row holds, the claimed values
    #: bound last, as an array.
    several: str
    #: The fields whose values are bound besides the claimed one, in the statements' order.
    bound: tuple[Any, ...]
    target: Any
    #: The columns the database decides, returned as ``save()`` returns them: the claimed
    #: value, the primary key and those with a database default; with their converters.
    returned: tuple[tuple[Any, tuple[Any, ...]], ...]


@cache
def _statement(model: type[Model], alias: str, field: str) -> _Statement:
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = model._meta
    target = meta.get_field(field)
    # Columns with a database default are left to the database, like save() does.
    others = tuple(
        f
        for f in meta.concrete_fields
        if not f.primary_key and f is not target and f.db_default is NOT_PROVIDED
    )
    returned = (
        target,
        meta.pk,
        *(f for f in meta.concrete_fields if f.db_default is not NOT_PROVIDED),
    )
    table = quote(meta.db_table)
    column = quote(target.column)
    columns = ", ".join([column, *(quote(f.column) for f in others)])
    # The values are bound apart from the statement, so those in a SELECT carry their type.
    selected = ", ".join(["c.value", *(f"%s::{f.cast_db_type(connection)}" for f in others)])
    tail = (
        f"ON CONFLICT ({column}) DO NOTHING "
        f"RETURNING {', '.join(quote(f.column) for f in returned)}"
    )
    several = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names from the model, values bound
        f"SELECT {selected} "
        f"FROM unnest(%s::{target.db_type(connection)}[]) WITH ORDINALITY AS c(value, position) "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{column} = c.value) "
        f"ORDER BY c.position LIMIT 1 {tail}"
    )
    values = ", ".join(["%s"] * (len(others) + 1))
    single = f"INSERT INTO {table} ({columns}) VALUES ({values}) {tail}"  # noqa: S608
    return _Statement(
        single=single,
        several=several,
        bound=others,
        target=target,
        returned=tuple((f, tuple(f.get_db_converters(connection))) for f in returned),
    )


def _server_binding_cursor(connection: Any) -> Any:
    """A cursor of ``connection`` that sends the values apart from the statement.

    Django's default psycopg cursor quotes every value into the SQL text in Python;
    binding them on the server costs the client less. The cursor is wrapped as
    ``connection.cursor()`` wraps its own, so execute wrappers, query logging and
    the translation of database errors apply to it as to any other.
    """
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))


def _insert_first_free_postgresql(
    model: type[M], alias: str, field: str, candidates: Sequence[Any], values: dict[str, Any]
) -> M | None:
    connection = connections[alias]
    statement = _statement(model, alias, field)
    target = statement.target
    # The instance to return, made as for save(): its values are the ones bound.
    instance = model(**{field: candidates[0], **values})
    bound = [
        f.get_db_prep_save(f.pre_save(instance, add=True), connection) for f in statement.bound
    ]
    if len(candidates) == 1:
        sql = statement.single
        params = [target.get_db_prep_save(candidates[0], connection), *bound]
    else:
        sql = statement.several
        params = [*bound, [target.get_db_prep_save(value, connection) for value in candidates]]
    with _server_binding_cursor(connection) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    for value, (returned_field, converters) in zip(row, statement.returned, strict=True):
        for converter in converters:
            value = converter(value, returned_field, connection)
        setattr(instance, returned_field.attname, value)
    instance._state.adding = False
    instance._state.db = alias
    return instance


def _insert_first_free_generic(
    model: type[M], alias: str, field: str, candidates: Sequence[Any], values: dict[str, Any]
) -> M | None:
    taken = set(
        model._default_manager.using(alias)
        .filter(**{f"{field}__in": list(candidates)})
        .values_list(field, flat=True)
    )
    for candidate in candidates:
        if candidate in taken:
            continue
        instance = model(**{field: candidate, **values})
        try:
            with transaction.atomic(using=alias):
                instance.save(force_insert=True, using=alias)
        except IntegrityError:
            if model._default_manager.using(alias).filter(**{field: candidate}).exists():
                continue  # taken meanwhile
            raise
        return instance
    return None


def reconnect_if_broken(using: str = "default") -> None:
    """Replace a connection that a failed statement left unusable, outside a transaction.

    After a lost connection (a restart, a dropped COMMIT reply) the next query
    then connects anew, so that the application can ask what was committed.
    """
    connection = connections[using]
    if not connection.in_atomic_block and connection.errors_occurred:
        connection.close_if_unusable_or_obsolete()
