"""Inserting many new rows at once: PostgreSQL's COPY there, `bulk_create` elsewhere.

Why: on PostgreSQL, Django 5.2's `bulk_create` sends each column as one array
(`INSERT … SELECT * FROM UNNEST(…)`), and psycopg writes those arrays in Python, escaping
every double quote of every JSON value one at a time. For the 20,000 participants and 21,000
sendings of a 20,000-pupil profiles collection, that was about 5 s of CPU where COPY, which
psycopg writes in C, takes under 1 s (bench/import_campaign.py). COPY runs on the connection
and in the transaction of the caller: an import stays all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models, router

# Fields whose values, as instances hold them (str, int, bool, Decimal, None), COPY writes
# exactly as the field would prepare them: read as they are, which saves about a second per
# 20,000 rows. Other fields (JSON, dates and times…) are prepared by the field, as
# `bulk_create` does.
_WRITTEN_AS_THEY_ARE = (models.BooleanField, models.CharField, models.DecimalField,
                        models.ForeignKey, models.IntegerField, models.TextField)


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Inserts unsaved instances of `model` and sets their primary keys, as `bulk_create`.

    The instances hold plain values (no expressions), as an import builds them.
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    # Columns in any order: first those read as they are, then those the field prepares.
    as_they_are = [f for f in fields if _written_as_it_is(f)]
    prepared = [f for f in fields if not _written_as_it_is(f)]
    names = [f.attname for f in as_they_are]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in (meta.pk, *as_they_are, *prepared))
    with connection.cursor() as cursor:
        # COPY returns nothing: the ids come from the table's sequence first.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        # COPY bypasses Django's cursor wrapper: its errors become Django's all the same (an
        # IntegrityError stays an IntegrityError for the caller).
        with connection.wrap_database_errors, cursor.copy(
            f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        ) as copy:
            for pk, obj in zip(ids, objs, strict=True):
                copy.write_row([
                    pk,
                    *[getattr(obj, name) for name in names],
                    *[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in prepared],
                ])
    for pk, obj in zip(ids, objs, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def _written_as_it_is(field: models.Field) -> bool:
    return (isinstance(field, _WRITTEN_AS_THEY_ARE)
            and type(field).pre_save is models.Field.pre_save)
