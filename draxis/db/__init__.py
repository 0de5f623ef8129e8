"""Database access: where the cluster is, who connects as whom, and the one scoped transaction."""
