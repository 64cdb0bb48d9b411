print("pipeline: not implemented yet")
