print("analyze: not implemented yet")
