"""beamdump.sources"""
