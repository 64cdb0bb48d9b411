// `Selectors` module: placeholder until its issue lands.
