"""Results: aggregation, ranking, funding selection, publication, exports, audit pages."""
