"""The demo city, its mailbox and the stand-alone simulated site box."""
