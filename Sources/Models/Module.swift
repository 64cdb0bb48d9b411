// `Models` module: placeholder until its issue lands.
