print("flightedge")
