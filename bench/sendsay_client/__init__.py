"""CPU per call of the Sendsay client against the emulator (see `__main__`)."""
