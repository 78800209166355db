"""The vendor dashboard: a seller's own pages at /vendor/, each scoped to the seller's company."""
