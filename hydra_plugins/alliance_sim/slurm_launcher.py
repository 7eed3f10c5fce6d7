"""The ``slurm`` launcher (``hydra/launcher=slurm``): ``submitit_slurm`` with a watchdog.

Where it sits: a Hydra plugin module (Hydra takes launchers only from ``hydra_plugins`` and
imports every module there at start-up, which registers the config below). It submits exactly as
``submitit_slurm`` does and then waits with ``sim.study.slurm.wait_for_jobs``, which says what is
wrong instead of waiting forever; see that module for the why. No ``from __future__ import
annotations`` here: Hydra loads plugin modules outside ``sys.modules``, where a dataclass cannot
resolve string annotations.
"""

import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, List, Optional  # noqa: UP035 - OmegaConf reads these

from hydra.core.config_store import ConfigStore
from hydra_plugins.hydra_submitit_launcher.config import SlurmQueueConf
from hydra_plugins.hydra_submitit_launcher.submitit_launcher import SlurmLauncher


@dataclass
class WatchedSlurmQueueConf(SlurmQueueConf):
    """``submitit_slurm``'s settings plus the watchdog's."""

    _target_: str = "hydra_plugins.alliance_sim.slurm_launcher.WatchedSlurmLauncher"
    # [minutes] pending jobs stop the sweep when no job ran or finished for this long (0: no limit)
    never_started_timeout_min: float = 60.0
    # [seconds] how often the queue and the result files are checked
    poll_s: float = 10.0
    # run before srun in each job's batch script; keeps submitit's variables under --export=NONE
    setup: Optional[List[str]] = field(  # noqa: UP006, UP045
        default_factory=lambda: ["export SLURM_EXPORT_ENV=ALL"])


ConfigStore.instance().store(group="hydra/launcher", name="slurm", node=WatchedSlurmQueueConf,
                             provider="alliance-sim")


class WatchedSlurmLauncher(SlurmLauncher):
    """``submitit_slurm`` that waits with ``wait_for_jobs`` and prints per-job progress."""

    OWN_KEYS = ("never_started_timeout_min", "poll_s")

    def __init__(self, **params: Any) -> None:
        self.watch = {k: params.pop(k) for k in self.OWN_KEYS if k in params}
        super().__init__(**params)

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int):
        import submitit
        from hydra.core.singleton import Singleton
        from hydra.core.utils import filter_overrides
        from hydra_plugins.hydra_submitit_launcher.config import BaseQueueConf
        from omegaconf import OmegaConf

        from sim.study.slurm import count_complete, wait_for_jobs

        assert self.config is not None and len(job_overrides) > 0
        # the executor as BaseSubmititLauncher.launch builds it (hydra-submitit-launcher 1.2)
        init_keys = {"max_num_timeout", "submitit_folder"}
        executor = submitit.AutoExecutor(
            cluster=self._EXECUTOR, folder=self.params["submitit_folder"],
            **{f"{self._EXECUTOR}_max_num_timeout": self.params["max_num_timeout"]}
            if "max_num_timeout" in self.params else {})
        base = set(OmegaConf.structured(BaseQueueConf).keys())
        executor.update_parameters(**{k if k in base else f"{self._EXECUTOR}_{k}": v
                                      for k, v in self.params.items() if k not in init_keys})
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        if "mode" in self.config.hydra.sweep:
            os.chmod(sweep_dir, mode=int(str(self.config.hydra.sweep.mode), 8))
        labels, job_params = [], []
        for idx, overrides in enumerate(job_overrides, start=initial_job_idx):
            labels.append(" ".join(filter_overrides(overrides)))
            job_params.append((list(overrides), "hydra.sweep.dir", idx, f"job_id_for_{idx}",
                               Singleton.get_state()))
        submitted = time.time()
        jobs = executor.map_array(self, *zip(*job_params, strict=True))
        print(f"[sweep] submitted {len(jobs)} SLURM jobs ({jobs[0].job_id.split('_')[0]}); "
              f"their logs: {sweep_dir / '.submitit'}", file=sys.stderr, flush=True)

        def progress(finished: int, total: int) -> None:
            complete = count_complete(sweep_dir, submitted)
            print(f"[sweep] {finished}/{total} SLURM jobs finished ({complete} complete in "
                  f"{sweep_dir}), elapsed {time.time() - submitted:.0f} s", file=sys.stderr, flush=True)

        timeout_min = float(self.watch.get("never_started_timeout_min", 60))
        return wait_for_jobs(jobs, labels, progress=progress, never_started_timeout_s=60 * timeout_min,
                             poll_s=float(self.watch.get("poll_s", 10)))
