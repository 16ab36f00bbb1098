"""Database helpers shared by the apps."""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.db.models import Func, IntegerField


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL and nothing on other databases.

    SQLite has no exclusion constraints; there the service that writes the rows re-checks inside a
    serialized (IMMEDIATE) transaction. Keeping the constraint in the model gives one migration for both.
    """

    def _is_postgres(self, schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def validate(self, model, instance, exclude=None, using="default"):
        from django.db import connections

        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


class EpochMinute(Func):
    """Minutes since 1970 of a timestamp, as an integer computed by the database: the schedule grid and the
    reports need only minutes, and reading them as integers spares the making of a datetime per row."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(EXTRACT(EPOCH FROM %(expressions)s)::bigint / 60)")

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(CAST(strftime('%%%%s', %(expressions)s) AS INTEGER) / 60)")
