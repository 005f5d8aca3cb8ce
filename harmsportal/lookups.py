"""`in` lookups that never send the database an integer no column can hold.

Django (since 5.0) answers `exact`, `gt`, `gte`, `lt` and `lte` on an integer column with a value
outside the column's range without asking the database. `in` still sends the value, which
Postgres refuses ("bigint out of range", a DataError) and SQLite cannot even bind
(OverflowError): `?categories=9223372036854775808` on a form with a ModelMultipleChoiceField,
or an admin widget showing a posted value again, was a 500. Here `in` does what `exact` does
for each value: one that cannot be in the column matches nothing, and so is left out.
"""

from __future__ import annotations

from django.core.exceptions import FieldError
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


def _integer_range(field, connection) -> tuple[int | None, int | None] | None:
    try:
        target = getattr(field, "target_field", field)  # a foreign key holds its target's values
    except FieldError:  # a relation over several columns: not one integer
        return None
    if not isinstance(target, IntegerField):
        return None
    return connection.ops.integer_field_range(target.get_internal_type())


class _InRange:
    def process_rhs(self, compiler, connection):
        bounds = _integer_range(self.lhs.output_field, connection)
        if bounds is not None and self.rhs_is_direct_value():
            low, high = bounds
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


class IntegerFieldIn(_InRange, In):
    pass


class RelatedIntegerIn(_InRange, RelatedIn):
    pass


def register() -> None:
    """Called once from PeopleConfig.ready(): the bottom app, loaded before any query."""
    IntegerField.register_lookup(IntegerFieldIn)
    ForeignObject.register_lookup(RelatedIntegerIn)
