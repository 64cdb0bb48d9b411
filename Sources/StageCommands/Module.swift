// `StageCommands` module: placeholder until its issue lands.
