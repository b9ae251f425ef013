"""The jury: jurors, conflicts of interest, assignments, scores, consensus, access rules."""
