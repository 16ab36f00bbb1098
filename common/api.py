"""API conventions shared by every endpoint under /api/v1/: pagination, strict query parameters, serializers
whose fields are built once per class.

Lists are paginated with ``count``, ``next``, ``previous``, ``results``; a query parameter an endpoint does not
know is a 400 (``UnknownParameter``, answered as ``unknown_parameter`` by the API's exception handler).
"""

import copy

from django.utils.translation import gettext as _
from rest_framework import exceptions, relations, serializers
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise exceptions.ValidationError({"page_size": [_("Enter a whole number from 1 to 200.")]}) from None
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError({"page_size": [_("Enter a whole number from 1 to 200.")]})
        return size


class PrebuiltFieldsMixin:
    """For a ModelSerializer: build the fields from the model once per class, then hand out copies.

    DRF inspects the model and builds every field again for each serializer instance, and even copying
    fields deeply costs as much: together the largest share of the Python time of creating a booking. The
    fields depend only on the class (none of ours depends on the context), and binding a field sets
    attributes on the field itself, so a shallow copy of a field from the first build is as good as a new one.
    Serializers and many-relations used as fields hold bound children, so they are still copied deeply.
    """

    def get_fields(self):
        serializer_class = type(self)
        prebuilt = serializer_class.__dict__.get("_prebuilt_fields")
        if prebuilt is None:
            prebuilt = super().get_fields()
            serializer_class._prebuilt_fields = prebuilt
        return {name: _copy_field(field) for name, field in prebuilt.items()}


def _copy_field(field):
    if isinstance(field, serializers.BaseSerializer | relations.ManyRelatedField):
        return copy.deepcopy(field)
    return copy.copy(field)


class UnknownParameter(exceptions.ValidationError):
    default_code = "unknown_parameter"


class StrictQueryParamsMixin:
    """Refuse query parameters an endpoint does not know, so a typo is a 400 and not a silent no-op."""

    base_query_params = frozenset({"page", "page_size", "format"})
    extra_query_params: frozenset[str] = frozenset()

    def allowed_query_params(self) -> set[str]:
        allowed = set(self.base_query_params) | set(self.extra_query_params)
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        return allowed

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - self.allowed_query_params())
        if unknown:
            raise UnknownParameter({name: [_("Unknown parameter.")] for name in unknown}, code="unknown_parameter")
