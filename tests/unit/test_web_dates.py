"""Pages write times as people write them (2025年4月30日 18:00), in the reader's time zone."""

import datetime as dt

from web.templating import when

UTC = dt.UTC


def test_a_time_reads_as_people_write_it_in_local_time():
    at = dt.datetime(2025, 4, 30, 10, 0, tzinfo=UTC)
    assert when(at) == "2025年4月30日 18:00"
    assert when(at, date_only=True) == "2025年4月30日"
    assert when(at, "Asia/Shanghai", "%H:%M") == "18:00"
    assert when(None) == ""
