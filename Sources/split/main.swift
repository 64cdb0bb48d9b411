print("split: not implemented yet")
