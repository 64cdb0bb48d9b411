// `Stratification` module: placeholder until its issue lands.
