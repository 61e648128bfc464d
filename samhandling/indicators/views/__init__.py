"""The views of styringsinformasjon, by audience: the dashboards (logged-in and public) and the analysts' pages for
data sets, imports, jobs and runs. Thin: they parse the request, call a selector or a service, and render."""

from .analyst import (
    dataset_detail,
    dataset_import,
    dataset_period,
    datasets,
    job_detail,
    run_detail,
    run_publish,
    run_start,
    run_unpublish,
    runs,
)
from .dashboards import (
    area_url,
    community,
    district,
    export,
    funnel,
    group_delete,
    groups,
    home,
    indicator,
    map_view,
    municipality,
    national,
)

__all__ = [
    "area_url",
    "community",
    "dataset_detail",
    "dataset_import",
    "dataset_period",
    "datasets",
    "district",
    "export",
    "funnel",
    "group_delete",
    "groups",
    "home",
    "indicator",
    "job_detail",
    "map_view",
    "municipality",
    "national",
    "run_detail",
    "run_publish",
    "run_start",
    "run_unpublish",
    "runs",
]
