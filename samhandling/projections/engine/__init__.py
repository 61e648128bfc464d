"""The projection engine of framskrivning: the built-in population projection (`population`), readers for SSB's
projection files (`ssb`) and service need with change factors, Monte Carlo and capacity (`need`). Runs without
Django, on DuckDB or PySpark, through the indicator engine's backends."""
