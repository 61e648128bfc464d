"""The indicator engine of styringsinformasjon: the catalogue of Ibis definitions (`catalogue`), the reference areas
and population (`areas`), direct standardisation (`standardise`) and the runner (`run`), plus the data contract and
data set preparation (`contract`, `dataset`). Runs without Django, on DuckDB or PySpark."""
