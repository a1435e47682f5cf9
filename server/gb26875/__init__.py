"""GB/T 26875.3 in the server: the receiver (andian as a monitoring centre) and the uplink (andian as a
transmission device towards the city's platform). Frames are made and read only by the pure codec ``gb26875``."""
