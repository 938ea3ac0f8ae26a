"""The rules the 903 return and our local tables are checked against, declared once.

`registry.toml` holds each rule's id, title, DfE's wording and a known-answer example;
`checks.py` one small function per record rule. The importer flags with these rules and the
Data quality page lists the flags by them, so a rule reads the same everywhere.
"""
from cl_metrics.rules.registry import (FLAG_COLUMNS, Rule, in_force, record_rules, rule, rules, store_record_flags,
                                       store_years)

__all__ = ["FLAG_COLUMNS", "Rule", "in_force", "record_rules", "rule", "rules", "store_record_flags", "store_years"]
