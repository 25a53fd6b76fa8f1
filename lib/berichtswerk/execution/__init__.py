"""Execution: section notebooks run by papermill, each in a kernel of its own – one job
(:mod:`.jobs`), kernels started fresh or ahead (:mod:`.kernels`, forked from a warm template:
:mod:`.kernel_fork`), on this machine (:mod:`.local`) or on a Dask cluster (:mod:`.dask`)."""
