"""DfE's age-in-year rule is written twice; both must give the same ages.

The age counted for a collection year (1 April to 31 March) is the age reached at the birthday
that falls inside it. The generator works it out in numpy (synthetic.sampling), the rules and
the indicators in SQL (cl_metrics.rules.sql.AGE_IN_YEAR, read by cl_metrics.derived). Each is
checked against the rule itself, walked day by day, on the dates where a slip would show: birthdays
on and either side of 31 March and 1 April, and 29 February births in leap and other years.
"""
from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pytest

from cl_metrics.derived import AGE_IN_YEAR
from synthetic.sampling import age_in_year

COLLECTION_YEARS = range(2019, 2027)  # takes in 2020 and 2024, collection years ending in a leap year
BIRTH_DAYS = [(1, 1), (2, 28), (2, 29), (3, 1), (3, 30), (3, 31), (4, 1), (4, 2), (12, 31)]
AGES = range(15, 27)


def birthday_age(dob: date, year: int) -> int:
    """The rule as DfE words it: find the birthday inside 1 April (year - 1) to 31 March (year).

    A 29 February birthday is kept on 1 March in other years (as synthetic.sampling.add_years does);
    28 February would fall in the same collection year, so the age is the same either way.
    """
    day = date(year - 1, 4, 1)
    while day <= date(year, 3, 31):
        leap_day_kept_on_1_march = (dob.month, dob.day) == (2, 29) and (day.month, day.day) == (3, 1) \
            and not _is_leap(day.year)
        if (day.month, day.day) == (dob.month, dob.day) or leap_day_kept_on_1_march:
            return day.year - dob.year
        day += timedelta(days=1)
    raise AssertionError(f"no birthday for {dob} in {year}")


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def grid() -> list[tuple[date, int, int]]:
    """(date of birth, collection year, expected age) for every age from 15 to 26."""
    cases = []
    for year in COLLECTION_YEARS:
        for birth_year in range(year - max(AGES) - 1, year - min(AGES) + 1):
            for month, day in BIRTH_DAYS:
                if (month, day) == (2, 29) and not _is_leap(birth_year):
                    continue
                dob = date(birth_year, month, day)
                age = birthday_age(dob, year)
                if age in AGES:
                    cases.append((dob, year, age))
    return cases


CASES = grid()


def test_the_grid_covers_what_could_go_wrong():
    assert {age for _, _, age in CASES} == set(AGES)
    assert sum(dob.month == 2 and dob.day == 29 for dob, _, _ in CASES) >= 20
    assert {(dob.month, dob.day) for dob, _, _ in CASES} == set(BIRTH_DAYS)


@pytest.mark.parametrize(("dob", "year", "age"), [
    (date(2004, 3, 31), 2025, 21),  # birthday on the last day of the year: counted in it
    (date(2004, 4, 1), 2025, 20),   # birthday on the first day: the 2024 birthday is the one inside
    (date(2004, 4, 2), 2025, 20),
    (date(2004, 3, 30), 2025, 21),
    (date(2004, 2, 29), 2025, 21),  # no 29 February in 2025; the birthday still falls in the year
    (date(2004, 2, 29), 2024, 20),
    (date(2008, 12, 31), 2024, 15),
    (date(1998, 1, 1), 2024, 26),
])
def test_the_rule_itself_on_known_dates(dob, year, age):
    assert birthday_age(dob, year) == age


def test_numpy_rule_agrees():
    dobs = np.array([dob for dob, _, _ in CASES], dtype="datetime64[D]")
    years = np.array([year for _, year, _ in CASES])
    assert age_in_year(dobs, years).tolist() == [age for _, _, age in CASES]


def test_sql_rule_agrees():
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE oc3 (case_no INTEGER, DOB DATE, collection_year INTEGER)")
    con.executemany("INSERT INTO oc3 VALUES (?, ?, ?)", [(i, dob, year) for i, (dob, year, _) in enumerate(CASES)])
    ages = [row[0] for row in con.execute(f"SELECT {AGE_IN_YEAR} FROM oc3 ORDER BY case_no").fetchall()]
    con.close()
    assert ages == [age for _, _, age in CASES]
