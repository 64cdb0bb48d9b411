// `Analysis` module: placeholder until its issue lands.
