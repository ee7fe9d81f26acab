"""Parse speed of the seed plans in every format: `make bench` times them (pytest-benchmark).

In `make test` these run once, untimed (--benchmark-disable), so they also prove the
benchmark still works. No timing is asserted: this machine is too noisy for that.
"""

import pytest

from tests.conftest import KARAGANDA, KOSTANAY
from tests.plan_documents import write_docx, write_xlsx
from tracker.plans.engine import parse_plan, parse_plan_file

SEEDS = {"kostanay": KOSTANAY, "karaganda": KARAGANDA}


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    files = {}
    for name, path in SEEDS.items():
        parsed = parse_plan_file(path)
        files[(name, "txt")] = path.read_bytes()
        files[(name, "docx")] = write_docx(parsed, folder / f"{name}.docx").read_bytes()
        files[(name, "xlsx")] = write_xlsx(parsed, folder / f"{name}.xlsx").read_bytes()
    return files


@pytest.mark.parametrize("fmt", ["txt", "docx", "xlsx"])
@pytest.mark.parametrize("name", ["kostanay", "karaganda"])
def test_parse_speed(benchmark, documents, name, fmt):
    data = documents[(name, fmt)]
    plan = benchmark(parse_plan, data, f"{name}.{fmt}")
    assert len(plan.activities) == {"kostanay": 50, "karaganda": 56}[name]
