"""Thin views for samhandlingsavvik, split by page family: the case and its lists (`cases`), statistics and
settings (`community`), reports, exports, the import and the integrations."""
