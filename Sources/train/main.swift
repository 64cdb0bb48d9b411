print("train: not implemented yet")
