"""Questions built on the rest: validation against published curves, the X17, uncertainty bands, design scans."""
