// `Metrics` module: placeholder until its issue lands.
