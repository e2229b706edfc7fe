"""The embedded mode: the same services as local processes on 127.0.0.1."""
