"""beamdump.experiments"""
