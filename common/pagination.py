"""A paginator that reads a page and the length of the whole list in one statement."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Window


class CountedPaginator(Paginator):
    """Reads a page and the number of rows of the whole list in one statement (``COUNT(*) OVER ()``), so
    that a costly filter (the free-room search) runs once per request, not once to count and once for the
    page. The count is read apart only when the page asked for is empty and not the first, or so far that
    its offset might not fit the database's integers (Django's paginator then refuses it without reading).
    For a queryset; its rows may be model instances or dicts (``values()``)."""

    LARGEST_OFFSET = 2**31

    def page(self, number):
        if (
            "count" not in self.__dict__
            and str(number).isdecimal()
            and 1 <= int(number) <= self.LARGEST_OFFSET // self.per_page
        ):
            number = int(number)
            bottom = (number - 1) * self.per_page
            rows = list(self.object_list.annotate(rows_in_list=Window(Count("*")))[bottom : bottom + self.per_page])
            if rows:
                first = rows[0]
                self.count = first["rows_in_list"] if isinstance(first, dict) else first.rows_in_list
            elif number == 1:
                self.count = 0
            self._read_page = (number, rows)
        return super().page(number)

    def get_page(self, number):
        """As Django's: a page number that is not a number gives the first page, one out of range the last.
        Django's asks for the count before the page; this reads them together when the page is there."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)

    def _get_page(self, object_list, number, paginator):
        read = self.__dict__.get("_read_page")
        if read is not None and read[0] == number:
            object_list = read[1]
        return super()._get_page(object_list, number, paginator)
