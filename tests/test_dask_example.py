"""examples/dask_cluster.py: sim.run_model mapped over a local Dask cluster gives exactly the
results of direct calls (draws depend only on seed and config, never on the worker process)."""

import pandas as pd
import pytest

distributed = pytest.importorskip(
    "dask.distributed", reason="the `dask` extra is not installed (uv sync --extra dask)")

from examples.dask_cluster import effects_table, run_on, tasks  # noqa: E402
from sim import run_model  # noqa: E402

TINY = {"population.scale": 40, "burn_in_years": 1, "horizon_years": 3}


@pytest.mark.slow  # Dask's worker processes
def test_dask_results_equal_direct_calls():
    task_list = tasks([0, 40], 1, TINY)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        on_cluster = run_on(client, task_list)
    direct = [run_model(**t) for t in task_list]
    # exact: the same floats, key for key (NaN where the horizon is too short, on both sides)
    pd.testing.assert_frame_equal(pd.DataFrame(on_cluster), pd.DataFrame(direct), check_exact=True)
    table = effects_table(task_list, on_cluster)
    assert set(table["funding_m"]) == {0, 40} and table["value"].notna().all()
