// `Datasets` module: placeholder until its issue lands.
