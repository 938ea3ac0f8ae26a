"""Row validation: one pydantic model per table, built from the spec (types, codes, required, min/max).

Values arrive as stripped strings; each column's validator turns them into Python values or
refuses them with a reason a person can act on. Codes are compared exactly (DfE treats 'yes'
or '02' as errors, and so do we). A few consistency rules between columns sit in RULES.
"""
from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Annotated, Any, Callable, Optional

from pydantic import (BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo, create_model,
                      model_validator)
from pydantic_core import PydanticCustomError

from cl_metrics.spec import ColumnSpec, TableSpec, spec

PY_TYPES = {"VARCHAR": str, "INTEGER": int, "DATE": date, "BOOLEAN": bool}
DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
INT = re.compile(r"[+-]?\d+")
TRUE, FALSE = {"1", "true", "yes"}, {"0", "false", "no"}
INT32 = 2**31 - 1
FIRST_YEAR, LAST_YEAR = 1900, 2100
SHOW_CODES = 12


def _refuse(reason: str) -> PydanticCustomError:
    return PydanticCustomError("cl_refused", "{reason}", {"reason": reason})


def _show(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def parse_date(value: str) -> date:
    """DD/MM/YYYY (DfE's form) or YYYY-MM-DD; an impossible date like 31/02/2004 is refused."""
    if m := DMY.fullmatch(value):
        d, mth, y = (int(g) for g in m.groups())
    elif m := ISO.fullmatch(value):
        y, mth, d = (int(g) for g in m.groups())
    else:
        raise _refuse(f"{_show(value)} is not a date in the form DD/MM/YYYY")
    try:
        parsed = date(y, mth, d)
    except ValueError:
        raise _refuse(f"{_show(value)} is not a real date (day {d}, month {mth}, year {y})") from None
    if not FIRST_YEAR <= y <= LAST_YEAR:
        raise _refuse(f"{_show(value)} has an implausible year")
    return parsed


def parse_int(value: str) -> int:
    if not INT.fullmatch(value) or abs(int(value)) > INT32:
        raise _refuse(f"{_show(value)} is not a whole number")
    return int(value)


def parse_bool(value: str) -> bool:
    low = value.lower()
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    raise _refuse(f"{_show(value)} is not yes/no: use 1 or 0 (true/false and yes/no are accepted too)")


PARSERS: dict[str, Callable[[str], Any]] = {"VARCHAR": str, "INTEGER": parse_int, "DATE": parse_date,
                                            "BOOLEAN": parse_bool}


def _code_reason(column: ColumnSpec, value: str, codes: tuple[str, ...]) -> str:
    shown = ", ".join(codes[:SHOW_CODES]) + (", ..." if len(codes) > SHOW_CODES else "")
    hint = ""
    close = [c for c in codes if c.lower() == value.lower() or c == value.lstrip("0")]
    if close:
        hint = f"; codes are exact, did you mean {close[0]!r}?"
    return f"{_show(value)} is not one of the {column.codes} codes ({shown}){hint}"


def column_validator(column: ColumnSpec) -> Callable[[Any], Any]:
    """Check one raw string against the column's spec and return the typed value (None if blank)."""
    codes = spec().codes[column.codes] if column.codes else None
    parse = PARSERS[column.type]

    def check(value: Any) -> Any:
        if value is None or value == "":
            if column.required:
                raise _refuse("required value is missing")
            return None
        if codes is not None and value not in codes:
            raise _refuse(_code_reason(column, value, codes))
        parsed = parse(value)
        if column.min is not None and parsed < column.min:
            raise _refuse(f"{_show(value)} is below the minimum {column.min}")
        if column.max is not None and parsed > column.max:
            raise _refuse(f"{_show(value)} is above the maximum {column.max}")
        return parsed

    return check


def _age_in_year(dob: date, year: int) -> int:
    """Age at the birthday that falls in the collection year (1 April to 31 March)."""
    return year - dob.year - (1 if dob.month >= 4 else 0)


def _oc3_rules(row: Any, info: ValidationInfo) -> Any:
    """DfE's consistency rules for oc3 (data-to-insight's validator): blanks, 'no information', Z at 17."""
    if row.IN_TOUCH in ("DIED", "RHOM") and (row.ACTIV or row.ACCOM):
        raise PydanticCustomError("cl_rule", "{reason}", {"field": "ACTIV" if row.ACTIV else "ACCOM", "reason":
                                  f"IN_TOUCH is {row.IN_TOUCH}, so ACTIV and ACCOM must be blank"})
    if row.IN_TOUCH == "YES" and "0" in (row.ACTIV, row.ACCOM):
        raise PydanticCustomError("cl_rule", "{reason}", {"field": "ACTIV" if row.ACTIV == "0" else "ACCOM",
                                  "reason": "IN_TOUCH is YES, so ACTIV and ACCOM cannot be '0' (no information)"})
    year = (info.context or {}).get("collection_year")
    if year and row.ACCOM and row.ACCOM.startswith("Z") and _age_in_year(row.DOB, year) == 17:
        raise PydanticCustomError("cl_rule", "{reason}", {"field": "ACCOM", "reason":
                                  "ACCOM Z (with former foster carers) is not used at age 17"})
    return row


RULES: dict[str, Callable[[Any, ValidationInfo], Any]] = {"oc3": _oc3_rules}


@cache
def row_model(table_name: str) -> type[BaseModel]:
    """A pydantic model for one table's rows, built from the spec."""
    table: TableSpec = spec().table(table_name)
    fields = {c.name: (Annotated[Optional[PY_TYPES[c.type]], BeforeValidator(column_validator(c))], None)
              for c in table.columns}
    validators = {"consistency": model_validator(mode="after")(RULES[table_name])} if table_name in RULES else {}
    return create_model(f"{table_name}_row", __config__=ConfigDict(extra="ignore", frozen=True),
                        __validators__=validators, **fields)


def validate_row(table_name: str, values: dict[str, str], collection_year: int | None
                 ) -> tuple[BaseModel | None, list[tuple[str | None, str]]]:
    """The validated row, or None and every (field, reason) that refused it."""
    try:
        return row_model(table_name).model_validate(values, context={"collection_year": collection_year}), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False, include_input=False):
            ctx = err.get("ctx") or {}
            name = str(err["loc"][0]) if err["loc"] else ctx.get("field")
            problems.append((name, ctx.get("reason", err["msg"])))
        return None, problems
