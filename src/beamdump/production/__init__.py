"""beamdump.production"""
