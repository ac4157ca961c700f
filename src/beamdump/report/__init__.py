"""beamdump.report"""
