// `Pipeline` module: placeholder until its issue lands.
