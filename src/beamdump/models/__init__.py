"""beamdump.models"""
