"""`python -m cl_metrics.ingest import FILE... --db PATH` (same as the CLI), or `... docs` to
regenerate the generated part of data/README.md from the spec."""
import sys

from cl_metrics.ingest.cli import main
from cl_metrics.ingest.templates import write_readme_section

if __name__ == "__main__":
    if sys.argv[1:2] == ["docs"]:
        write_readme_section()
        raise SystemExit(0)
    raise SystemExit(main(sys.argv[1:]))
