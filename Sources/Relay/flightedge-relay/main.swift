print("flightedge-relay: being written (issue #12)")
