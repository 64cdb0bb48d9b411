// `Tensors` module: placeholder until its issue lands.
