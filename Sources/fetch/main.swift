print("fetch: not implemented yet")
